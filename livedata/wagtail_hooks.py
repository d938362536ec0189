from wagtail import hooks

from portal.hooks import HOME_CONTEXT

from .home import live_section

hooks.register(HOME_CONTEXT, live_section)
