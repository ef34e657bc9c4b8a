"""Every slash command, action id and callback id the bot uses, in one place."""

COMMAND_FUNNEL = "/funnel"
COMMAND_SLA = "/sla"
SLASH_COMMANDS = (COMMAND_FUNNEL, COMMAND_SLA)

HOME_BLOCK_INTRO = "home_intro"
