"""Wagtail imports its finish-workflow action while its own models load, so this
module imports nothing of Wagtail's at the top and hands over to the service."""


def publish_approved_workflow_state(workflow_state, user=None):
    from .review import publish_approved_workflow_state as publish

    return publish(workflow_state, user=user)
