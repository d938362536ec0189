from wagtail import hooks


@hooks.register("register_log_actions")
def register_org_actions(actions):
    actions.register_action("orgs.unit.create", "创建单位", "创建了单位")
    actions.register_action("orgs.unit.update", "修改单位", "修改了单位信息")
    actions.register_action("orgs.role.grant", "授予角色", "授予了角色")
    actions.register_action("orgs.role.revoke", "撤销角色", "撤销了角色")
    actions.register_action("orgs.person.create", "创建用户", "创建了用户")


@hooks.register("construct_main_menu")
def hide_help_menu(request, menu_items):
    # Wagtail's help menu leads to its English guide outside the platform; staff are
    # helped by their unit and the portal management centre instead.
    menu_items[:] = [item for item in menu_items if item.name != "help"]
