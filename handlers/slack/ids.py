"""Every slash command, action id and callback id the bot uses, in one place."""

COMMAND_FUNNEL = "/funnel"
COMMAND_SLA = "/sla"
SLASH_COMMANDS = (COMMAND_FUNNEL, COMMAND_SLA)

HOME_BLOCK_INTRO = "home_intro"

# The message that hands a lead to sales.
LEAD_MESSAGE_HEADLINE = "lead_headline"
LEAD_MESSAGE_ACTIONS = "lead_actions"
ACTION_OPEN_PROFILE = "open_profile"
