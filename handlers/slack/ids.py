"""Every slash command, action id and callback id the bot uses, in one place."""

COMMAND_FUNNEL = "/funnel"
COMMAND_SLA = "/sla"
SLASH_COMMANDS = (COMMAND_FUNNEL, COMMAND_SLA)

# The lead card: its blocks…
CARD_HEADER = "card_header"
CARD_FIELDS = "card_fields"
CARD_SUMMARY = "card_summary"
CARD_HISTORY = "card_history"
CARD_APPROACH = "card_approach"
CARD_CUSTOM_FIELDS = "card_custom_fields"
CARD_ACTIONS = "card_actions"
CARD_CONTEXT = "card_context"
# …its buttons (each carries the lead id as its value)…
ACTION_CLAIM = "lead_claim"
ACTION_ACCEPT = "lead_accept"
ACTION_NOT_A_FIT = "lead_not_a_fit"
ACTION_LOG_ATTEMPT = "lead_log_attempt"
ACTION_MEETING_BOOKED = "lead_meeting_booked"
ACTION_WON = "lead_won"
ACTION_LOST = "lead_lost"
ACTION_NURTURE = "lead_nurture"
ACTION_OPEN_PROFILE = "open_profile"
# …and its menu of corrections (option values are "<choice>:<lead id>").
ACTION_CARD_MENU = "lead_menu"
MENU_UNDO = "undo"
MENU_REASSIGN = "reassign"
MENU_REOPEN = "reopen"

# The modals behind a claimed card's buttons (handlers.slack.modals): their callback ids…
VIEW_ATTEMPT = "lead_attempt_modal"
VIEW_MEETING = "lead_meeting_modal"
VIEW_WON = "lead_won_modal"
VIEW_EXIT = "lead_exit_modal"
VIEW_REASSIGN = "lead_reassign_modal"
VIEW_REOPEN = "lead_reopen_modal"
VIEW_CONTEST = "lead_contest_modal"
VIEW_SLA_EDIT = "sla_policy_modal"
# …their blocks (the ids a `response_action: errors` answer points at)…
MODAL_LEAD = "modal_lead"
BLOCK_ATTEMPT_HOW = "attempt_how"
BLOCK_ATTEMPT_OUTCOME = "attempt_outcome"
BLOCK_MEETING_WHEN = "meeting_when"
BLOCK_WON_VALUE = "won_value"
BLOCK_EXIT_REASON = "exit_reason"
BLOCK_RATING = "rating"
BLOCK_NOTE = "note"
BLOCK_REASSIGN_TO = "reassign_to"
BLOCK_REOPEN_WHY = "reopen_why"
BLOCK_CONTEST_WHY = "contest_why"
# …and the one action id of the element inside every input block.
MODAL_VALUE = "value"

# The direct message that hands a lead to its new owner.
DIRECT_TEXT = "direct_text"
DIRECT_ACTIONS = "direct_actions"

# The closed loop's message to marketing.
FEEDBACK_HEADLINE = "feedback_headline"
FEEDBACK_FIELDS = "feedback_fields"
FEEDBACK_NOTE = "feedback_note"
FEEDBACK_ACTIONS = "feedback_actions"
FEEDBACK_CONTESTED = "feedback_contested"
ACTION_CONTEST = "lead_contest"
ACTION_OPEN_CARD = "open_card"

# The App Home's button to leave or rejoin the round-robin (value: "away" or "back").
ACTION_TOGGLE_AWAY = "home_toggle_away"

# The SLA-review reminder's buttons (each carries the meeting's occurrence, ISO 8601 in UTC,
# as its value) and its blocks.
ACTION_REVIEW_ADD_ITEM = "review_add_item"
ACTION_REVIEW_MARK_REVIEWED = "review_mark_reviewed"
REVIEW_ACTIONS = "review_actions"
# The modal behind Add agenda item (the reminder's button and the App Home's), its blocks.
VIEW_AGENDA_ITEM = "review_agenda_item_modal"
BLOCK_AGENDA_INTRO = "agenda_intro"
BLOCK_AGENDA_TEXT = "agenda_text"
BLOCK_AGENDA_LEAD = "agenda_lead"
