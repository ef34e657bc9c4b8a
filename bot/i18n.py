"""The translation catalog: every user-facing string, in English and Spanish.

Strings are looked up by key and filled with `str.format` placeholders. A test checks that
both languages have the same keys and the same placeholders.
"""

from __future__ import annotations

from string import Formatter

DEFAULT_LOCALE = "en"

CATALOG: dict[str, dict[str, str]] = {
    "en": {
        # Stages and exits
        "stage.lead": "Lead",
        "stage.profiled": "Profiled (MQL)",
        "stage.accepted": "Accepted (SAL)",
        "stage.contacted": "Contacted",
        "stage.qualified": "Qualified (SQL)",
        "stage.won": "Won",
        "exit.rejected": "Not a fit",
        "exit.lost": "Lost",
        "exit.nurture": "Back to nurture",
        # Reason codes
        "reason.not_icp": "Not our ideal customer",
        "reason.wrong_region": "Wrong region",
        "reason.service_not_offered": "Service not offered",
        "reason.no_budget": "No budget",
        "reason.bad_timing": "Bad timing",
        "reason.no_authority": "No authority to buy",
        "reason.invalid_contact": "Invalid contact details",
        "reason.unreachable": "Unreachable",
        "reason.duplicate": "Duplicate",
        "reason.spam_test": "Spam or test",
        "reason.job_seeker_or_vendor": "Job seeker or vendor",
        "reason.competitor": "Competitor",
        "reason.already_customer": "Already a customer",
        "reason.price": "Price",
        "reason.no_decision": "No decision",
        "reason.timing": "Timing",
        "reason.budget_cut": "Budget cut",
        "reason.product_fit": "Product fit",
        "reason.not_ready": "Not ready yet",
        "reason.needs_education": "Needs education",
        "reason.other": "Other",
        # Command line
        "cli.description": "Smarketing Bot: the marketing-sales agreement, kept in chat.",
        "cli.not_available": "'smarketing {command}' is not available yet.",
        "cli.db_upgraded": "Database is up to date ({url}).",
        "cli.config_error": "Configuration error: {message}",
        # Command-line help
        "cli.help.serve": "run the bot: Slack, intake API, scheduler",
        "cli.help.demo": "sample data, funnel and summary; no Slack needed",
        "cli.help.demo_db": "SQLite file",
        "cli.help.import": "import leads from a CSV export",
        "cli.help.backfill": "store without posting cards",
        "cli.help.post_since": "post cards for leads created since this: 24h (default), 7d, a date",
        "cli.help.dry_run": "check and count; store nothing",
        "cli.help.import_metrics": "import daily marketing figures",
        "cli.help.funnel": "the funnel report",
        # /funnel: the report (handlers.slack.funnel), its Slack answers and its command line
        "funnel.report.title": "Funnel · {period}",
        "funnel.report.title_own": "Funnel · {period} · your leads only",
        "funnel.report.cohort": (
            "Counts the leads created in the period, each at the furthest stage it reached"
            " (/sla counts the hand-offs made in the period instead)."
        ),
        "funnel.report.compared": "Change is against {period}.",
        "funnel.report.empty": "No leads were created in this period.",
        "funnel.report.stages": "Stages",
        "funnel.report.col_stage": "Stage",
        "funnel.report.col_leads": "Leads",
        "funnel.report.col_change": "Change",
        "funnel.report.col_of_previous": "Of previous",
        "funnel.report.col_of_all": "Of all",
        "funnel.report.exits": "Exits and their top reasons",
        "funnel.report.exit": "{exit}: {count}",
        "funnel.report.exit_reasons": "{exit} — {reasons}",
        "funnel.report.reason": "{reason} {count}",
        "funnel.report.no_reason": "no reason given",
        "funnel.report.revenue": "Revenue won",
        "funnel.report.revenue_change": "{amount} ({change} against the previous period)",
        "funnel.report.clock.routing": "Routing delay (card posted → accepted)",
        "funnel.report.clock.profile": "Profiling (captured → profiled)",
        "funnel.report.clock.response": "Response time (accepted → first touch)",
        "funnel.report.clock.contact": "Reaching them (accepted → contacted)",
        "funnel.report.clock.qualify": "To a meeting (contacted → qualified)",
        "funnel.report.clock.win": "Closing (qualified → won)",
        "funnel.report.median": "{duration}, the exact median over {count} leads",
        "funnel.report.median_one": "{duration}, from a single lead",
        "funnel.report.no_median": "not measured for any of these leads yet",
        "funnel.report.sla": "Profiled leads against the SLA",
        "funnel.report.sla_of": "{profiled} of the {needed} marketing committed to for these dates",
        "funnel.report.by": "By {dimension}",
        "funnel.report.col_qualified": "Qualified",
        "funnel.report.col_won": "Won",
        "funnel.report.col_revenue": "Revenue",
        "funnel.report.col_qualified_share": "Qualified %",
        "funnel.report.col_impressions": "Impressions",
        "funnel.report.impressions": "Impressions",
        "funnel.report.clicks": "Clicks (click-through)",
        "funnel.report.clicks_of": "{clicks} ({share})",
        "funnel.report.per_thousand": "Leads per 1,000 impressions",
        "funnel.report.platform_leads": "Leads the platforms counted",
        "funnel.report.platform_leads_of": (
            "{platform} (the bot received {bot}; figures for {days} days)"
        ),
        "funnel.slack.files_coming": (
            "The files you asked for are on their way to your direct messages with the bot."
        ),
        "funnel.slack.files_comment": "The funnel of {window}, as you asked with /funnel.",
        "funnel.slack.files_failed": (
            "Slack did not take the chart or the export just now; ask again in a minute."
        ),
        "funnel.report.none": "(none)",
        "funnel.report.other": "other ({count} values)",
        "funnel.report.no_rows": "No leads in this period.",
        "funnel.report.times": "Days and hours in {timezone}; clocks in business time.",
        "funnel.report.text": "{title}: {leads} leads, {won} won, revenue {revenue}.",
        "funnel.slack.more_rows": "_+{count} more not shown_",
        "funnel.slack.not_allowed": (
            "`/funnel` is for sellers, marketers and managers; ask a manager if you need it."
        ),
        "funnel.cli.chart_written": "Chart written to {path}",
        "funnel.cli.csv_written": "CSV written to {path}",
        "funnel.cli.not_written": "Could not write {path}: {error}",
        "funnel.cli.demo_chart": "The funnel as a chart (PNG): {path}",
        # The funnel as a chart (handlers.funnel_chart) and as CSV (handlers.funnel_csv)
        "chart.leads_axis": "Leads created in the period",
        "chart.platform_axis": "As the marketing platforms reported",
        "chart.impressions": "Impressions",
        "chart.clicks": "Clicks",
        "chart.per_thousand": "{impressions} · {rate} leads per 1,000",
        "chart.local_axis": "{dimension} ({timezone})",
        "csv.col_section": "Section",
        "csv.col_code": "Code",
        "csv.col_label": "Label",
        "csv.col_value": "Value",
        "csv.col_previous": "Previous period",
        "csv.col_change": "Change",
        "csv.col_of_previous": "Of previous (0-1)",
        "csv.col_of_all": "Of all leads (0-1)",
        "csv.col_stored": "Value as stored",
        "csv.col_folded": "Values folded into the row",
        "csv.col_qualified_share": "Qualified share (0-1)",
        "csv.col_impressions": "Impressions",
        "csv.col_per_thousand": "Leads per 1,000 impressions",
        "csv.impressions": "Impressions",
        "csv.clicks": "Clicks",
        "csv.platform_leads": "Leads the platforms counted",
        "csv.platform_days": "Days with platform figures",
        "csv.per_thousand": "Leads per 1,000 impressions",
        "csv.reason": "{exit}: {reason}",
        "csv.median": "{clock}, median in business minutes",
        "csv.median_leads": "{clock}, leads measured",
        "funnel.cli.only_period": (
            "--period takes one period, like 30d, last-month or 2026-10; got '{value}'."
        ),
        "funnel.cli.only_by": "--by takes one breakdown, one of: {dimensions}; got '{value}'.",
        "funnel.cli.demo_window": "the last {days} days",
        "cli.help.digest": "the weekly digest",
        "cli.help.review": "the SLA-review reminder and agenda",
        "cli.help.schedule": "scheduled jobs and their last runs",
        "cli.help.outbox": "messages waiting to be delivered",
        "cli.help.sla": "the SLA policy",
        # The SLA policy: what each key means, what a bad value is told, the plan
        "sla.meaning.period": "how often targets are counted: week, month or quarter",
        "sla.meaning.revenue_goal": "revenue sales aims to win each period (0 = not set)",
        "sla.meaning.average_deal_value": "what a won deal is worth on average (0 = not set)",
        "sla.meaning.leads_per_sale": "profiled leads it takes to win one sale",
        "sla.meaning.profiled_share_min": "least share of captured leads that arrive profiled",
        "sla.meaning.first_touch_minutes": "business minutes sales has to first touch a lead",
        "sla.meaning.unclaimed_after_minutes": (
            "business minutes before a lead nobody accepted is offered again"
        ),
        "sla.meaning.attempts_min": "contact attempts a seller makes before giving up",
        "sla.meaning.attempts_window_days": "business days those attempts are spread over",
        "sla.meaning.give_up": "a lead never reached goes back to nurture, or is rejected",
        "sla.meaning.assignment": "claim: first seller to click; round_robin: sellers in turn",
        "sla.meaning.work_days": "days sales works; SLA clocks stop on the others",
        "sla.meaning.work_hours": "hours sales works (00:00-24:00: all day)",
        "sla.meaning.holidays": "dates with no work, YYYY-MM-DD",
        "sla.meaning.seller_weights": "round-robin share per seller (U01:2 gets twice); 1 each",
        "sla.meaning.open_leads_cap": "most open leads one seller holds (empty: no cap)",
        "sla.meaning.required_fields": "what every handed-over lead carries (| = either)",
        "sla.meaning.sellers_see_all": "sellers see the whole /funnel, not only their leads",
        "sla.period.week": "week",
        "sla.period.month": "month",
        "sla.period.quarter": "quarter",
        "sla.error.unknown_key": "{setting}: there is no such setting; the settings are {known}.",
        "sla.error.choice": "{setting} must be one of {allowed}; got '{value}'.",
        "sla.error.amount": (
            "{setting} must be a number, 0 or more, like {example} (0: not set); got '{value}'."
        ),
        "sla.error.leads_per_sale": (
            "{setting} must be a number of at least 1, like 8 (one sale every 8 leads); "
            "got '{value}'."
        ),
        "sla.error.share": "{setting} must be a share from 0 to 1, like 0.6 or 60%; got '{value}'.",
        "sla.error.whole": (
            "{setting} must be a whole number from {minimum} to {maximum}, like {example}; "
            "got '{value}'."
        ),
        "sla.error.open_leads_cap": (
            "{setting} must be a whole number of at least 1, like 10, or empty for no cap; "
            "got '{value}'."
        ),
        "sla.error.work_days": (
            "{setting} must be days like mon-fri, mon,wed,fri or mon-sun; got '{value}'."
        ),
        "sla.error.work_hours": (
            "{setting} must be an opening and a closing time like 09:00-18:00 (00:00-24:00 for "
            "all day); got '{value}'."
        ),
        "sla.error.work_hours_order": (
            "{setting}: closing must come after opening, like 09:00-18:00; got '{value}'."
        ),
        "sla.error.holidays": (
            "{setting} must be dates like 2026-12-25,2027-01-01 (empty for none); "
            "'{item}' is not a date."
        ),
        "sla.error.seller_weights": (
            "{setting} must be Slack user ids with a weight from 1 to {maximum}, like "
            "U0123ABCD:2,U0456EFGH:1 (empty: 1 each); '{item}' is not."
        ),
        "sla.error.seller_repeated": "{setting} names {user} twice; give each seller one weight.",
        "sla.error.required_fields": (
            "{setting} must be lead fields separated by commas, | for either, like "
            "email|phone,summary; '{item}' is not a lead field (they are {fields})."
        ),
        "sla.error.boolean": "{setting} must be true or false; got '{value}'.",
        "sla.plan.revenue": "The revenue goal must be more than 0 to plan sales; got {value}.",
        "sla.plan.deal": (
            "The average deal value must be more than 0 to count the sales needed; got {value}."
        ),
        "sla.plan.leads_per_sale": (
            "Leads per sale must be at least 1 (one sale every N leads); got {value}."
        ),
        "sla.plan.bad_argument": "{name} must be a number like {example}; got '{value}'.",
        "sla.plan.usage": (
            "Write it as: plan REVENUE DEAL N, like plan 100,000 6,667 8 (one sale every N leads)."
        ),
        "sla.plan.sales_line": "Sales needed: {sales} ({revenue} ÷ {deal}, rounded up)",
        "sla.plan.leads_line": (
            "Profiled leads to hand over: {leads} ({sales} × {leads_per_sale}, rounded up)"
        ),
        # smarketing sla
        "cli.sla.title_default": "SLA policy: the defaults (nobody has changed them yet).",
        "cli.sla.title": "SLA policy, version {version}: changed by {by} on {at}.",
        "cli.sla.by_cli": "the command line",
        "cli.sla.col_setting": "setting",
        "cli.sla.col_value": "value",
        "cli.sla.col_meaning": "meaning",
        "cli.sla.plan": "Plan for each {period}:",
        "cli.sla.no_plan": (
            "No plan yet: set the revenue goal and the average deal, e.g. "
            "smarketing sla set revenue_goal=100k average_deal_value=6,667"
        ),
        "cli.sla.history": "Latest changes:",
        "cli.sla.history_line": "v{version}  {at}  {by}: {changes}",
        "cli.sla.change": "{setting} {old} → {new}",
        "cli.sla.how_to_change": (
            "Change it with: smarketing sla set KEY=VALUE … (managers in Slack: /sla edit)."
        ),
        "cli.sla.changed": "SLA policy changed (now version {version}):",
        "cli.sla.unchanged": "Nothing changed: the policy already says that (version {version}).",
        "cli.sla.not_changed": "The SLA policy was not changed:",
        "cli.sla.not_assignment": "'{word}' is not KEY=VALUE; write a setting like attempts_min=6.",
        "cli.sla.repeated_key": "{setting} is given twice; give it once.",
        "cli.help.routing": "channel routing rules",
        "cli.help.manifest": "the Slack app manifest",
        "cli.help.db": "database maintenance",
        "cli.help.db_upgrade": "apply the schema migrations",
        # Configuration errors
        "config.required": (
            "{name} is required to run the bot; set it in the environment or in .env "
            "(see .env.example)."
        ),
        "config.required_more": "{name} is required to run the bot (also missing: {others}).",
        "config.prefix": "{name} must start with '{prefix}'.",
        "config.url": "{name} must be an http(s) URL, got '{value}'.",
        "config.channel": "{name} must be a Slack channel id like C0123ABCD, got '{value}'.",
        "config.user_ids": (
            "{name} must be comma-separated Slack user ids like U0123ABCD, got '{value}'."
        ),
        "config.database_url": "{name} is not a database URL: '{value}'.",
        "config.database_backend": (
            "{name} must be a sqlite:/// or postgresql+psycopg:// URL, got '{value}'."
        ),
        "config.timezone": (
            "{name} must be an IANA time zone like America/Mexico_City, got '{value}'."
        ),
        "config.choice": "{name} must be one of {allowed}, got '{value}'.",
        "config.region": "{name} must be a two-letter region code like MX, got '{value}'.",
        "config.integer": "{name} must be a whole number, got '{value}'.",
        "config.range": "{name} must be between {minimum} and {maximum}, got {value}.",
        "config.minimum": "{name} must be at least {minimum}, got {value}.",
        # Demo
        "demo.title": "Smarketing Bot demo",
        "demo.database": "Sample database: {path} ({leads} leads, {events} events)",
        "demo.next": (
            "Next: connect a Slack workspace (README, 'Install in your Slack workspace') "
            "and run 'smarketing serve'."
        ),
        "dimension.zone": "zone",
        "dimension.service": "service",
        "dimension.source": "source",
        "dimension.seller": "seller",
        # Slack
        "delivery.headline": "{name} · {company}",
        "delivery.new_lead_text": "New lead for sales: {lead}",
        "delivery.profile": "Open profile",
        "demo.card": "The newest open lead, as its card shows it in Slack:",
        "thread.claimed": ":raised_hand: {user} claimed this lead.",
        "feedback.headline": ":outbox_tray: *{state}*: {lead}",
        "feedback.text": "{state}: {lead} ({reason})",
        "feedback.reason": "Reason",
        "feedback.seller": "Seller",
        "feedback.rating": "Lead quality",
        "feedback.stars": "{rating} of 5",
        "feedback.note": "Seller's note",
        "feedback.contest": "Contest",
        "feedback.card": "Open the card",
        "thread.attempt": ":telephone_receiver: {user} logged an attempt: {how}, {outcome}.",
        "thread.meeting": ":calendar: {user} booked a meeting for {when}.",
        "thread.won": ":trophy: {user} won the deal: {value}.",
        "thread.closed": ":wave: {user} marked it {state}: {reason}.",
        "thread.undone": ":leftwards_arrow_with_hook: {user} undid their last action ({what}).",
        "work.not_yours": "This lead belongs to {owner}: only they or a manager can do that.",
        "work.not_a_seller": "Only sellers and managers can do that.",
        "work.not_now": "That cannot be done now: the lead is {state}.",
        "work.not_found": "This lead no longer exists in the bot.",
        "work.nothing_to_undo": "You have nothing to undo on this lead.",
        "work.too_late": "Too late to undo: an action can be undone within 10 minutes.",
        "work.what.claim": "the claim",
        "work.what.accept": "the acceptance",
        "work.what.attempt": "an attempt",
        "work.what.contact": "a connected attempt",
        "work.what.qualify": "the meeting",
        "work.what.win": "the win",
        "work.what.reject": "not a fit",
        "work.what.lose": "lost",
        "work.what.nurture": "back to nurture",
        "work.not_a_manager": "Only managers can reassign or reopen a lead.",
        "work.not_a_marketer": "Only marketers can contest a seller's verdict.",
        "work.already_contested": (
            "{marketer} already contested this verdict; it is on the next SLA review's agenda."
        ),
        "work.verdict_changed": "That verdict no longer stands: the lead is now {state}.",
        "thread.reassigned": (
            ":arrows_counterclockwise: {user} reassigned this lead from {previous} to {owner}."
            " {note}"
        ),
        "thread.reopened": ":recycle: {user} reopened this lead at {state}: {note}",
        "thread.contested": (
            ":triangular_flag_on_post: {user} (marketing) contests {seller}'s verdict,"
            " {state} ({reason}): {note}\nIt goes on the agenda of the next SLA review."
        ),
        "direct.reassigned": (
            ":inbox_tray: {user} gave you a lead: *{lead}*. {previous} had it before. {note}"
        ),
        "feedback.contested": ":triangular_flag_on_post: Contested by {user}: {text}",
        "manage.error.same_owner": "This seller already has the lead: choose someone else.",
        "manage.error.not_a_seller": "That person is not a seller here: choose a seller.",
        "modal.reassign.title": "Reassign lead",
        "modal.reassign.to": "New owner",
        "modal.reassign.placeholder": "Choose a seller",
        "modal.reassign.hint": "They get a direct message with a link to the card.",
        "modal.reopen.title": "Reopen lead",
        "modal.reopen.why": "Why reopen it?",
        "modal.reopen.hint": "The lead goes back to the stage it had reached, with its owner.",
        "modal.contest.title": "Contest the verdict",
        "modal.contest.verdict": "{seller} marked it {state}: {reason}.",
        "modal.contest.why": "Why was this lead a fit?",
        "modal.contest.hint": (
            "The seller reads this in the card's thread; it goes to the next SLA review."
        ),
        "modal.error.reassign_to": "Choose the seller who takes the lead.",
        "modal.error.reopen_why": "Say why the lead is reopened.",
        "modal.error.contest_why": "Say why this lead was a fit.",
        "card.not_available": "That is not available yet.",
        "claim.not_a_seller": "Only sellers can claim leads: ask a manager if you should be one.",
        "claim.taken": "{owner} already has this lead.",
        "claim.closed": "This lead can no longer be claimed: it is {state} now.",
        "claim.not_found": "This lead no longer exists in the bot.",
        # Modals behind the card's buttons
        "modal.submit": "Save",
        "modal.close": "Cancel",
        "modal.lead": "Lead: *{name}*",
        "modal.lead_at": "Lead: *{name}* · {company}",
        "modal.choose": "Choose one",
        "modal.note": "Note",
        "modal.note_placeholder": "Anything the team or marketing should know",
        "modal.attempt.title": "Log attempt",
        "modal.attempt.how": "How did you reach out?",
        "modal.attempt.channel.call": "Call",
        "modal.attempt.channel.email": "Email",
        "modal.attempt.channel.whatsapp": "WhatsApp",
        "modal.attempt.channel.other": "Other",
        "modal.attempt.outcome": "How did it go?",
        "modal.attempt.outcome.no_answer": "No answer",
        "modal.attempt.outcome.left_message": "Left a message",
        "modal.attempt.outcome.connected": "Connected: we talked",
        "modal.attempt.outcome_hint": "A connected attempt marks the lead as contacted.",
        "modal.meeting.title": "Meeting booked",
        "modal.meeting.when": "When is the meeting?",
        "modal.won.title": "Deal won",
        "modal.won.value": "Deal value",
        "modal.won.hint": "A number, e.g. 6667, 6,667.50 or 12k.",
        "modal.rating": "Lead quality",
        "modal.rating_placeholder": "Rate the lead",
        "modal.rating_hint": "Goes to marketing as feedback on the leads they send.",
        "modal.rating.1": "1 — poor lead",
        "modal.rating.2": "2 — weak lead",
        "modal.rating.3": "3 — fair lead",
        "modal.rating.4": "4 — good lead",
        "modal.rating.5": "5 — excellent lead",
        "modal.exit.title.rejected": "Not a fit",
        "modal.exit.title.lost": "Lost",
        "modal.exit.title.nurture": "Back to nurture",
        "modal.exit.reason": "Reason",
        "modal.exit.reason_placeholder": "Choose a reason",
        "modal.exit.hint.rejected": (
            "Marketing sees this reason: it tells them which leads to stop sending."
        ),
        "modal.exit.hint.lost": "Why the deal did not happen; it is counted in the funnel.",
        "modal.exit.hint.nurture": "Marketing takes the lead back into a nurturing flow.",
        "modal.error.attempt_how": "Choose how you reached out.",
        "modal.error.attempt_outcome": "Choose how the attempt went.",
        "modal.error.meeting_when": "Choose the meeting's date and time.",
        "modal.error.meeting_past": "The meeting must be in the future.",
        "modal.error.won_value_missing": "Enter the deal value, e.g. 6667.",
        "modal.error.won_value_number": "Deal value must be a number, e.g. 6667.",
        "modal.error.won_value_negative": "Deal value cannot be negative.",
        "modal.error.rating": "Lead quality must be a whole number from 1 to 5.",
        "modal.error.reason_missing": "Choose a reason.",
        "modal.error.reason_other_exit": "Choose one of the reasons listed for “{exit}”.",
        "card.summary": "Analysis",
        "card.history": "History with us",
        "card.approach": "How to approach",
        "card.custom_fields": "Other details",
        "card.custom_fields_more": "…and {count} more",
        "card.field.company": "Company",
        "card.field.job_title": "Job title",
        "card.field.email": "Email",
        "card.field.phone": "Phone",
        "card.field.score": "Score",
        "card.field.origin": "Source · campaign",
        "card.field.zone": "Zone",
        "card.field.service": "Service",
        "card.field.age_range": "Age range",
        "card.field.estimated_value": "Estimated value",
        "card.button.claim": "Claim",
        "card.button.not_a_fit": "Not a fit",
        "card.button.log_attempt": "Log attempt",
        "card.button.meeting_booked": "Meeting booked",
        "card.button.won": "Won",
        "card.button.lost": "Lost",
        "card.button.nurture": "Nurture",
        "card.menu.undo": "Undo my last action",
        "card.menu.reassign": "Reassign",
        "card.menu.reopen": "Reopen",
        "card.context.state": "*{state}*",
        "card.context.owner": "owner {owner}",
        "card.context.unclaimed": "nobody has claimed it yet",
        "card.context.since": "handed over {elapsed} ago",
        "card.button.accept": "Accept",
        "card.context.offered": "offered to {user}",
        "card.context.first_touch_due": ":stopwatch: first touch due by {due}",
        "card.context.first_touch_late": ":rotating_light: first touch {late} late",
        "thread.accepted": ":handshake: {user} accepted this lead.",
        "thread.reoffered": (
            ":repeat: Nobody took this lead within {minutes} business minutes: any seller may"
            " claim it."
        ),
        "thread.reoffered_to": (
            ":repeat: Not accepted within {minutes} business minutes: now offered to {user}."
        ),
        "thread.gave_up": (
            ":zzz: No connected attempt in {days} business days after {attempts} attempts by"
            " {owner}: moved to *{state}* as unreachable, as the SLA says."
        ),
        "claim.offered": (
            "This lead is offered to {user}: only they can accept it until it is offered again."
        ),
        "work.offered_elsewhere": (
            "This lead is offered to {assignee}: only they or a manager can act on it until"
            " someone accepts it."
        ),
        "sla.reminder.first_touch": (
            ":hourglass_flowing_sand: {lead} is waiting for its first touch: due by {when}"
            " ({left} business minutes left). Log an attempt on the card when you reach out."
        ),
        "sla.escalation.first_touch": (
            ":rotating_light: {lead}: {owner} accepted it at {when} and has not touched it"
            " within the agreed {allowed} business minutes ({late} minutes late)."
        ),
        "sla.escalation.attempts": (
            ":rotating_light: {lead}: {days} business days since {owner} accepted it without a"
            " connected attempt, and {attempts} of the {needed} agreed attempts logged."
        ),
        "sla.escalation.unclaimed": (
            ":rotating_light: {lead}: nobody has accepted it in {minutes} business minutes."
        ),
        "sla.escalation.unclaimed_offered": (
            ":rotating_light: {lead}: offered to {user} and not accepted in {minutes} business"
            " minutes."
        ),
        "duration.just_now": "moments",
        "duration.minutes": "{minutes} min",
        "duration.hours": "{hours} h",
        "duration.hours_minutes": "{hours} h {minutes} min",
        "duration.days_hours": "{days} d {hours} h",
        "slack.error": (
            "Sorry, something went wrong on our side. It has been logged; please try again "
            "in a moment."
        ),
        "home.title": "Smarketing Bot",
        "home.intro": (
            "Your leads, the shared funnel and the SLA between marketing and sales will "
            "show up here."
        ),
        "home.commands": "Try `/funnel` for the funnel and `/sla` for the agreement.",
        "schedule.empty": "The schedule is empty; write it like '{example}'.",
        "schedule.weekly": "'{text}' is not a day and a time; write it like '{example}'.",
        "schedule.cadence": "'{text}' is not a meeting cadence; write it like '{example}'.",
        "schedule.first_missing": (
            "'{text}' does not say when the first meeting is; end it with 'from' and a date, "
            "like '{example}'."
        ),
        "schedule.weekday": (
            "'{value}' is not a day of the week (mon to sun, or lun to dom in Spanish); "
            "write it like '{example}'."
        ),
        "schedule.time": (
            "'{value}' is not a time of day: use 24-hour HH:MM from 00:00 to 23:59, "
            "like '{example}'."
        ),
        "schedule.weeks": (
            "'{value}' is not a number of weeks: use a whole number from 1 to 52, like '{example}'."
        ),
        "schedule.date": "'{value}' is not a date: use YYYY-MM-DD, like '{example}'.",
        "schedule.first_day": (
            "{date} is a {actual}, not a {day}: the first meeting must fall on the meeting "
            "day, like '{example}'."
        ),
        "schedule.duration": (
            "'{value}' is not a length of time: use days, hours and minutes like 24h, 90m, "
            "2d or 1h30m."
        ),
        "schedule.duration_zero": "'{value}' is no time at all: it must be longer than zero.",
        "schedule.duration_long": "'{value}' is too long: at most {days} days.",
        "schedule.day.mon": "Monday",
        "schedule.day.tue": "Tuesday",
        "schedule.day.wed": "Wednesday",
        "schedule.day.thu": "Thursday",
        "schedule.day.fri": "Friday",
        "schedule.day.sat": "Saturday",
        "schedule.day.sun": "Sunday",
        "home.leads.title": "Your open leads ({count})",
        "home.leads.none": (
            "You have no open leads right now. New ones arrive as cards in the sales channel."
        ),
        "home.leads.line": "{state} · handed over {elapsed} ago",
        "home.open_card": "Open card",
        "home.more": "…and {count} more.",
        "home.week.title": "This week",
        "home.week.period": "From Monday {date}, 00:00 ({timezone}) until now",
        "home.week.handed_over": "Handed over",
        "home.week.accepted": "Accepted",
        "home.week.won_value": "{count} · {revenue} won",
        "home.week.reasons": "Top reasons for not a fit",
        "home.week.reason": "• {reason}: {count}",
        "home.contests.title": "Open contests ({count})",
        "home.contests.none": "No verdict is contested right now.",
        "home.contests.line": "{marketer} contests {seller}'s verdict: *{verdict}*",
        "home.contests.words": "“{text}”",
        # App manifest
        "manifest.description": "Lead hand-off, SLA and shared funnel for marketing and sales.",
        "manifest.funnel": "The funnel, broken down by zone, seller, campaign and more",
        "manifest.funnel_hint": "[period] [by zone|age|service|seller|source|campaign] [chart]",
        "manifest.sla": "The SLA between marketing and sales",
        "slash.sla.help": (
            "`/sla` the scorecard · `/sla plan REVENUE DEAL N` sales and leads a goal takes,"
            " e.g. `/sla plan 100,000 6,667 8` · `/sla edit` the policy (managers)"
            " · `/sla away` / `/sla back` leave or rejoin the round-robin (sellers)"
        ),
        "slash.sla.not_understood": "`/sla {text}` is not something I know. {help}",
        "slash.sla.managers_only": "Only managers can change the SLA policy; `/sla` shows it.",
        "modal.sla.title": "SLA policy",
        "modal.sla.intro": (
            "Change what the teams agreed; each setting says what it means. Every change is"
            " kept with your name for the next SLA review."
        ),
        "scorecard.title": ":handshake: *The SLA, {period}*",
        "scorecard.text": "The SLA, {period}: {handed_over} profiled leads handed over",
        "scorecard.marketing": "Marketing",
        "scorecard.sales": "Sales",
        "scorecard.handed_over": "Profiled leads handed over",
        "scorecard.handed_over_of": "{count} of {needed} · on pace for {projected}",
        "scorecard.handed_over_no_goal": "{count} (no revenue goal set yet)",
        "scorecard.profiled_share": "Captured leads that arrived profiled",
        "scorecard.share_of": "{share} of {captured} · aim {aim}",
        "scorecard.no_leads_aim": "no leads captured yet · aim {aim}",
        "scorecard.missing_fields": "Hand-offs missing a required field",
        "scorecard.routing": "Routing delay, median (posted → accepted)",
        "scorecard.response": "Response time, median (accepted → first touch)",
        "scorecard.in_time": "First touched within {limit}",
        "scorecard.in_time_of": "{share} ({count} of {touched})",
        "scorecard.attempts": "Attempts per accepted lead",
        "scorecard.breaches": "Breaches (escalated)",
        "scorecard.breaches_of": "{open} open now · this period: {raised}",
        "scorecard.breach.first_touch_late": "{count} first touch late",
        "scorecard.breach.unclaimed_late": "{count} left unaccepted",
        "scorecard.breach.attempts_missing": "{count} short of attempts",
        "scorecard.note": (
            "Counted by when each thing happened in the period; times in business hours"
            " ({timezone}). `/sla plan REVENUE DEAL N` · `/sla edit` (managers)"
        ),
        "scorecard.period.week": "week of {date}",
        # /funnel: the query, its periods and its errors (bot.domain.funnel_query)
        "funnel.period.today": "today ({date})",
        "funnel.period.last_days": "last {days} days ({start} to {end})",
        "funnel.period.this_week": "this week, from {date}",
        "funnel.period.week": "week of {date}",
        "funnel.period.this_month": "{month} {year} to date",
        "funnel.period.month": "{month} {year}",
        "funnel.period.this_quarter": "Q{quarter} {year} to date",
        "funnel.period.quarter": "Q{quarter} {year}",
        "funnel.period.day": "{date}",
        "funnel.period.range": "{start} to {end}",
        "funnel.period.all": "all time",
        "funnel.keyword.zone": "zone",
        "funnel.keyword.age": "age",
        "funnel.keyword.service": "service",
        "funnel.keyword.seller": "seller",
        "funnel.keyword.source": "source",
        "funnel.keyword.campaign": "campaign",
        "funnel.keyword.channel": "channel",
        "funnel.keyword.weekday": "weekday",
        "funnel.keyword.hour": "hour",
        "funnel.error.unknown_word": (
            "I did not understand `{word}`. Type `/funnel help` for examples."
        ),
        "funnel.error.bare_dimension": (
            "`{word}` alone is not understood: write `by {word}` to break the funnel down by it."
        ),
        "funnel.error.by_missing": "`{word}` needs a breakdown after it, one of: {dimensions}.",
        "funnel.error.by_unknown": (
            "The funnel cannot be broken down by `{word}`; choose one of: {dimensions}."
        ),
        "funnel.error.two_dimensions": "Two breakdowns: `{first}` and `{second}`. Choose one.",
        "funnel.error.two_periods": "Two periods: `{first}` and `{second}`. Choose one.",
        "funnel.error.days": "`{text}`: the number of days must be between 1 and {max}.",
        "funnel.error.date": "`{text}` is not a real date.",
        "funnel.error.month": "`{text}` is not a month: write it as YYYY-MM, e.g. 2026-10.",
        "funnel.error.year": "`{text}`: the year must be between {min} and {max}.",
        "funnel.error.range_order": (
            "`{text}`: the end date {end} is before the start date {start}."
        ),
        "funnel.help": (
            "*`/funnel`: the shared funnel of the leads created in a period*\n"
            "`/funnel [period] [by breakdown] [chart] [export]`, words in any order.\n\n"
            "*Period* (default: the current SLA period so far)\n"
            "• `7d`, `30d`, any `Nd` up to 3660: today and the days before it\n"
            "• `this-week`, `last-week` (weeks start on Monday)\n"
            "• `this-month`, `last-month`, `this-quarter`, `last-quarter`\n"
            "• `2026-10`: a whole month\n"
            "• `2026-10-01..2026-10-15`: those days, both included\n"
            "• `all`: every lead ever captured\n"
            "*Breakdown*: `by zone`, `by age`, `by service`, `by seller`, `by source`, "
            "`by campaign`, `by channel`, `by weekday`, `by hour`\n"
            "*Chart*: `chart` sends the funnel as an image, by direct message\n"
            "*Export*: `export` sends it as a CSV file, by direct message\n\n"
            "*Examples*\n"
            "`/funnel`\n"
            "`/funnel last-month by campaign`\n"
            "`/funnel 30d by seller chart`\n"
            "`/funnel 2026-10-01..2026-10-15 by zone export`\n\n"
            "Days and dates follow the team's time zone. Spanish words work too: "
            "`mes-pasado`, `por zona`, `gráfico`."
        ),
        "scorecard.period.month": "{month} {year}",
        "scorecard.period.quarter": "Q{quarter} {year}",
        "scorecard.month.1": "January",
        "scorecard.month.2": "February",
        "scorecard.month.3": "March",
        "scorecard.month.4": "April",
        "scorecard.month.5": "May",
        "scorecard.month.6": "June",
        "scorecard.month.7": "July",
        "scorecard.month.8": "August",
        "scorecard.month.9": "September",
        "scorecard.month.10": "October",
        "scorecard.month.11": "November",
        "scorecard.month.12": "December",
        "manifest.sla_hint": "[plan REVENUE DEAL N | edit | away | back]",
        # Round-robin: away and back
        "away.now_away": "You're away: no new leads are assigned to you until `/sla back`.",
        "away.already_away": (
            "You're already away: no new leads are assigned to you until `/sla back`."
        ),
        "away.now_back": "Welcome back: new leads are assigned to you again, in turn.",
        "away.already_back": (
            "You're already on duty: new leads are assigned to you in turn; `/sla away` "
            "pauses them."
        ),
        "away.not_a_seller": (
            "Only sellers take turns for new leads, so only they can be away or back."
        ),
        "rotation.claim_mode": (
            "Right now sellers claim leads from the channel; this counts once leads are "
            "assigned by round-robin."
        ),
        "rotation.home.on_duty": (
            ":large_green_circle: *On duty:* new leads are assigned to you in turn."
        ),
        "rotation.home.away": (
            ":double_vertical_bar: *Away:* no new leads are assigned to you until you're back."
        ),
        "rotation.home.go_away": "Step away",
        "rotation.home.come_back": "I'm back",
        "cli.manifest_needs_url": (
            "Give the bot's public URL with --url (or set PUBLIC_URL), or use --socket-mode."
        ),
        # Import
        "import.no_file": "No such file: {path}",
        "import.bad_post_since": (
            "--post-since takes a duration like 24h or 7d, or a date like 2026-11-01; "
            "got '{value}'."
        ),
        "import.progress": "{rows} rows read…",
        "import.summary": (
            "{file}: {platform} export ({encoding}, delimiter {delimiter}), {rows} rows"
        ),
        "import.tab": "tab",
        "import.new": "New leads: {count} (posted to sales: {posted})",
        "import.updated": "Moved forward: {count}",
        "import.duplicates": "Already known: {count}",
        "import.rejected": "Rejected rows: {count}",
        "import.rejected_line": "  line {line}: {reason}",
        "import.dry_run": "Dry run: nothing was stored.",
        # smarketing import-metrics (bot.domain.metrics)
        "cli.import_metrics.not_utf8": (
            '{path} is not UTF-8 text: save it as "CSV UTF-8" and import it again.'
        ),
        "cli.import_metrics.no_header": "{path} is empty: there is no header line.",
        "cli.import_metrics.missing_columns": (
            "The header of {path} has no {columns} column. Expected: date, channel, source,"
            " campaign, impressions, clicks, leads (source and campaign may be left out)."
        ),
        "cli.import_metrics.unreadable": "{path}, line {line}: the CSV cannot be read ({detail}).",
        "cli.import_metrics.problem": "line {line}: {column}: {problem}",
        "cli.import_metrics.refused": (
            "Nothing was stored: {count} problem(s) in {path}. Fix them and import the file again."
        ),
        "cli.import_metrics.stored": (
            "Stored the figures of {count} row(s) from {path}; figures already stored for the"
            " same day, channel, source and campaign were replaced."
        ),
        "cli.import_metrics.repeated": (
            "{count} row(s) repeated a day, channel, source and campaign of an earlier row;"
            " the later row counts."
        ),
        "metrics.problem.missing": "a value is required",
        "metrics.problem.blank": "is empty",
        "metrics.problem.date": (
            "should be a day written YYYY-MM-DD (e.g. 2026-11-20), not '{value}'"
        ),
        "metrics.problem.whole_number": "should be a whole number, not '{value}'",
        "metrics.problem.negative": "cannot be negative ({value})",
        "metrics.problem.too_large": "should be at most {maximum}, not {value}",
        # Routing rules
        "cli.routing.help_list": "the rules, in the order they are tried",
        "cli.routing.help_add": (
            "send a zone's or a service's leads to a channel: zone=VALUE|service=VALUE channel=C…"
        ),
        "cli.routing.help_remove": "delete rule N",
        "cli.routing.title": "Routing rules:",
        "cli.routing.rule": "#{number}  {field} = {value}  →  {channel}",
        "cli.routing.others": "Every other lead goes {to_sales}.",
        "cli.routing.order": (
            "Rules are tried in number order; the first that matches a lead decides its channel."
        ),
        "cli.routing.none": "There are no routing rules: every lead goes {to_sales}.",
        "cli.routing.to_sales": "to the sales channel, {channel}",
        "cli.routing.to_sales_unset": "to the sales channel (SALES_CHANNEL_ID is not set)",
        "cli.routing.added": "Added: {rule}",
        "cli.routing.removed": "Removed: {rule}",
        "cli.routing.no_such_rule": (
            "There is no routing rule #{number}; 'smarketing routing list' shows the rules "
            "and their numbers."
        ),
        "cli.routing.not_assignment": (
            "'{word}' is not of the form key=value; a rule reads zone=VALUE (or service=VALUE) "
            "channel=C0123ABCD."
        ),
        "cli.routing.unknown_key": (
            "A rule cannot use '{option}='; it takes zone= or service=, and channel=."
        ),
        "cli.routing.repeated_key": "'{option}=' is given twice; a rule takes it once.",
        "cli.routing.no_field": "Say which leads the rule is for: zone=VALUE or service=VALUE.",
        "cli.routing.two_fields": ("A rule matches one field: give zone= or service=, not both."),
        "cli.routing.empty_value": "'{option}=' has no value: give the {field} this rule is for.",
        "cli.routing.too_long": (
            "The {field} is {length} characters long; the most a rule takes is {maximum}."
        ),
        "cli.routing.no_channel": (
            "Say where these leads go: channel=C0123ABCD (the id at the bottom of the "
            "channel's details)."
        ),
        "cli.routing.bad_channel": (
            "'{value}' is not a Slack channel id; a channel id looks like C0123ABCD."
        ),
        "cli.routing.duplicate": (
            "Rule #{number} already sends leads of {field} '{value}' to {channel}; remove it "
            "first ('smarketing routing remove {number}') to send them elsewhere."
        ),
        "cli.routing.duplicate_race": (
            "A rule for {field} '{value}' changed at the same moment; run the command again."
        ),
        # Outbox
        "cli.outbox.nothing_waiting": "Nothing is waiting to be delivered.",
        "cli.outbox.summary": (
            "{waiting} waiting to be delivered, {failing} with an error; the oldest has been "
            "waiting since {since}."
        ),
        "cli.outbox.more": "…and {count} more waiting.",
        "cli.outbox.col_entry": "Entry",
        "cli.outbox.col_lead": "Lead",
        "cli.outbox.col_channel": "Channel",
        "cli.outbox.col_attempts": "Attempts",
        "cli.outbox.col_next": "Next try",
        "cli.outbox.col_error": "Last error",
        "cli.outbox.col_delivered": "Delivered",
        "cli.outbox.not_routed": "(not routed yet)",
        "cli.outbox.now": "now",
        "cli.outbox.delivered": "Delivered in the last 24 hours: {count}",
        "cli.outbox.times": "Times are in {timezone}.",
        "cli.schedule.jobs": "Scheduled jobs (run by one serve process at a time):",
        "cli.schedule.job": "job",
        "cli.schedule.when": "when",
        "cli.schedule.next": "next run",
        "cli.schedule.grace": "caught up within",
        "cli.schedule.runs": "Latest runs:",
        "cli.schedule.no_runs": "No run yet.",
        "cli.schedule.period": "period",
        "cli.schedule.status": "outcome",
        "cli.schedule.finished": "finished",
        "cli.schedule.detail": "detail",
        "cli.schedule.status.running": "running",
        "cli.schedule.status.done": "done",
        "cli.schedule.status.failed": "failed",
        "cli.schedule.status.skipped": "skipped (missed)",
        # The weekly digest
        "digest.title": "Weekly digest · {week}",
        "digest.week": "{start} to {end}",
        "digest.note": (
            "The SLA figures count what happened during the week; the funnel counts the "
            "leads created in it. Compared with {previous}."
        ),
        "digest.no_leads": "No lead was created this week.",
        "digest.side.marketing": "Marketing",
        "digest.side.sales": "Sales",
        "digest.scorecard.title": "SLA scorecard",
        "digest.score.handed_over": "Profiled leads handed over",
        "digest.score.profiled_share": "Captured leads that arrived profiled",
        "digest.score.missing_fields": "Hand-offs missing a required field",
        "digest.score.routing": "Routing delay (median)",
        "digest.score.response": "Response time (median)",
        "digest.score.in_time": "First touches within the limit",
        "digest.score.attempts": "Attempts per accepted lead",
        "digest.score.target": "(target {target})",
        "digest.score.change": "{change} on the week before",
        "digest.points": "{points} pts",
        "digest.col.figure": "Figure",
        "digest.col.week": "Week",
        "digest.col.previous": "Week before",
        "digest.col.change": "Change",
        "digest.col.target": "Target",
        "digest.col.met": "Met",
        "digest.col.lead": "Lead",
        "digest.col.stage": "Stage",
        "digest.col.owner": "Owner",
        "digest.col.idle_days": "Business days idle",
        "digest.col.last_activity": "Last activity",
        "digest.funnel.title": "Funnel of the leads created this week",
        "digest.reasons.title": "Why leads left this week",
        "digest.reasons.summary": "{rejected} not a fit, {lost} lost. The most frequent:",
        "digest.reasons.none": "No lead was marked not a fit or lost this week.",
        "digest.reasons.by_source": "By source",
        "digest.reasons.by_campaign": "By campaign",
        "digest.reasons.line": "{value} — {exit}: {reason} ({count})",
        "digest.stalled.title": "Stalled leads",
        "digest.stalled.summary": (
            "{count} open leads without any activity for {days} business days or more; "
            "the longest idle:"
        ),
        "digest.stalled.none": "No open lead has gone {days} business days without activity.",
        "digest.stalled.line": "{lead} — {stage}, {owner}, {days} business days idle",
        "digest.no_owner": "no owner",
        "digest.recognition.title": "Recognition",
        "digest.recognition.best_closer": "Best closer: {seller}, {revenue} won in {count} deals",
        "digest.recognition.fastest_responder": (
            "Fastest responder: {seller}, a median response of {duration} over {count} first "
            "touches"
        ),
        "digest.recognition.most_improved": (
            "Most improved: {seller}, {count} leads qualified or won (from {before} the week "
            "before)"
        ),
        "digest.contests.title": "Contested verdicts awaiting a review",
        "digest.contests.summary": "{count} open; the oldest:",
        "digest.contests.none": "No contested verdict awaits a review.",
        "digest.contests.line": (
            "{lead} — {exit}: {reason}, contested by {marketer} on {date} (verdict by {seller})"
        ),
        "digest.more": "+{count} more",
        "digest.review.next": "Next SLA review: {when}",
        "digest.review.none": "No SLA review meeting is scheduled (SLA_REVIEW_SCHEDULE).",
        "digest.times": "Times in {timezone}; durations and idle days in business time.",
        "digest.text": (
            "{title}: {leads} leads, {won} won, {revenue} revenue; {stalled} stalled leads."
        ),
        "digest.demo": "The weekly digest managers would get for the last complete week:",
        "digest.send.chart_title": "Funnel · {week} (outlined: the week before)",
        "cli.digest.nowhere": (
            "There is nowhere to send the digest: set MANAGERS_CHANNEL_ID, MANAGER_USER_IDS "
            "or both."
        ),
        "cli.digest.already_sent": (
            "The digest for {week} was already sent at {at} ({timezone}); use --force to send "
            "it again."
        ),
        "cli.digest.not_queued": "The digest for {week} could not be queued: {error}",
        "cli.digest.to_channel": "channel {channel}",
        "cli.digest.to_person": "a direct message to {user}",
        "cli.digest.posted": "Posted the digest for {week} to {destination}.",
        "cli.digest.posted_with_chart": (
            "Posted the digest for {week} to {destination}, with its funnel chart in the "
            "message's thread."
        ),
        "cli.digest.not_posted": (
            "The digest for {week} is not in {destination} yet ({error}); it stays in the "
            "outbox (smarketing outbox) and smarketing serve delivers it."
        ),
        "cli.digest.chart_not_posted": (
            "The funnel chart is not in the digest's thread in {destination} yet ({error}); "
            "it stays in the outbox (smarketing outbox) and smarketing serve delivers it."
        ),
        "cli.digest.no_answer": "no answer from Slack yet",
        "cli.digest.outbox_digest": "Weekly digest {week}",
        "cli.digest.outbox_chart": "Digest chart {week}",
        # SLA-review meetings
        "review.span": "since the last SLA review",
        "review.when": "{day} {date} {time}",
        "review.title.starting": "SLA review starts now · {when}",
        "review.title.ahead": "SLA review in {within} · {when}",
        "review.span.reviewed": "Data since the last meeting marked reviewed ({since}) to {now}.",
        "review.span.cadence": (
            "Data since the meeting before ({since}; nobody has marked a meeting reviewed yet) "
            "to {now}."
        ),
        "review.span.default": (
            "Data of the last {days} days ({since} to {now}): there is no earlier meeting."
        ),
        "review.scorecard.title": "SLA attainment since the last review",
        "review.scorecard.side": "{side}: attainment since the last review",
        "review.score.change": "{change} on the span before",
        "review.col.span": "Since the last review",
        "review.col.before": "Span before",
        "review.alerts.title": "Breaches and escalations",
        "review.alerts.none": "The SLA sweep raised nothing in this span.",
        "review.alerts.open": "{count} leads with a breach still open.",
        "review.alert.first_touch_reminder": "{count} first-touch reminders",
        "review.alert.first_touch_late": "{count} first touch late",
        "review.alert.unclaimed_late": "{count} left unaccepted",
        "review.alert.attempts_missing": "{count} short of attempts",
        "review.alert.reoffer": "{count} offered again",
        "review.alert.give_up": "{count} given up after the attempts",
        "review.reasons.title": "Why leads left, by source",
        "review.reasons.summary": (
            "{rejected} not a fit, {lost} lost in this span. The most frequent:"
        ),
        "review.reasons.none": "No lead was marked not a fit or lost in this span.",
        "review.target.title": "Proposed target for the next period",
        "review.target.current": (
            "Now: {leads} profiled leads a period ({sales} sales × {per_sale} leads per sale)."
        ),
        "review.target.no_goal": (
            "No target yet: set revenue_goal and average_deal_value (smarketing sla set)."
        ),
        "review.target.observed": (
            "Observed in this span: {handed} leads handed over, {won} sales won: 1 sale every "
            "{per_sale} leads ({rate} close rate)."
        ),
        "review.target.proposed": (
            "Proposed: {leads} profiled leads a period ({sales} sales × {per_sale} leads per "
            "sale), {change} on now."
        ),
        "review.target.no_wins": (
            "No sale was won in this span ({handed} leads handed over): there is no observed "
            "close rate, so no new target is proposed."
        ),
        "review.target.unusable": (
            "More sales were won than leads handed over in this span: that rate cannot set a "
            "target."
        ),
        "review.contests.title": "Contested verdicts ({count} open)",
        "review.contests.none": "No contested verdict awaits a review.",
        "review.contests.line": (
            "{lead} — {exit}: {reason}; verdict by {seller}, contested by {marketer} on {date}"
        ),
        "review.contests.seller": "Seller ({user}):",
        "review.contests.marketer": "Marketer ({user}):",
        "review.contests.no_words": "(no note)",
        "review.items.title": "Items added ({count})",
        "review.items.none": "Nobody has added an item yet.",
        "review.items.line": "{text} — {user}, {date}",
        "review.items.lead": "(lead {id}: {lead})",
        "review.more": "+{count} more",
        "review.button.add": "Add agenda item",
        "review.button.mark": "Mark reviewed",
        "review.footer": (
            "After the meeting, a manager's Mark reviewed closes the items and the contested "
            "verdicts it discussed. Times in {timezone}."
        ),
        "review.times": "Times in {timezone}; durations in business time.",
        "review.text": "{title}: {items} agenda items, {contests} contested verdicts.",
        "review.cli.none": (
            "No SLA review meeting is scheduled: set SLA_REVIEW_SCHEDULE (e.g. {example})."
        ),
        "review.item.empty": "The agenda item is empty: write what the meeting should discuss.",
        "review.item.too_long": (
            "The agenda item is {length} characters long; at most {maximum} fit."
        ),
        "review.item.no_lead": "There is no lead {lead} to link the agenda item to.",
        "review.answer.done": (
            "The meeting of {when} is marked reviewed: {items} agenda items and {contests} "
            "contested verdicts closed."
        ),
        "review.answer.already_reviewed": (
            "The meeting of {when} was already marked reviewed by {user} at {at}."
        ),
        "review.answer.not_a_manager": "Only managers mark an SLA review meeting reviewed.",
        "review.answer.not_started": (
            "The meeting of {when} has not started yet: mark it reviewed once it is held."
        ),
        "review.answer.unknown_meeting": (
            "That button is for a meeting SLA_REVIEW_SCHEDULE does not hold (any more)."
        ),
        "review.answer.no_role": (
            "Only sellers, marketers and managers add items to the SLA review's agenda."
        ),
        "review.marked": ":white_check_mark: {user} marked the meeting of {when} reviewed.",
        "review.item.added": (
            "Added to the agenda of the next SLA review; it stays there until a meeting "
            "discusses it."
        ),
        "review.item.lead_number": "A lead id is a number, like 12.",
        "review.modal.title": "Add agenda item",
        "review.modal.intro": (
            "Something the next SLA review should discuss: it stays on the agenda until a "
            "meeting marked reviewed takes it."
        ),
        "review.modal.text": "What should the meeting discuss?",
        "review.modal.lead": "Lead id",
        "review.modal.lead_hint": "The number of a lead this item is about (optional).",
        "review.home.line": "*SLA review:* add something for the next meeting to discuss.",
        "review.outbox.reminder": "SLA review reminder {when}",
        "review.outbox.marked": "SLA review marked {when}",
        "review.outbox.added": "Agenda item added",
        "review.cli.no_schedule": (
            "No SLA review reminder to send: set SLA_REVIEW_SCHEDULE (e.g. {example})."
        ),
        "review.cli.nowhere": (
            "Nowhere to post the SLA review reminder: set MANAGERS_CHANNEL_ID, "
            "MARKETING_CHANNEL_ID or SALES_CHANNEL_ID."
        ),
        "review.cli.already_sent": (
            "The reminder for the SLA review of {when} was already sent at {at} ({timezone}); "
            "it goes out once per meeting."
        ),
        "review.cli.not_queued": (
            "The reminder for the SLA review of {when} could not be queued: {error}"
        ),
        "review.cli.posted": (
            "Posted the reminder for the SLA review of {when} to channel {channel}."
        ),
        "review.cli.not_posted": (
            "The reminder for the SLA review of {when} is not in channel {channel} yet ({error}); "
            "it stays in the outbox for serve."
        ),
    },
    "es": {
        "stage.lead": "Lead",
        "stage.profiled": "Perfilado (MQL)",
        "stage.accepted": "Aceptado (SAL)",
        "stage.contacted": "Contactado",
        "stage.qualified": "Calificado (SQL)",
        "stage.won": "Ganado",
        "exit.rejected": "No encaja",
        "exit.lost": "Perdido",
        "exit.nurture": "De vuelta a nutrición",
        "reason.not_icp": "No es nuestro cliente ideal",
        "reason.wrong_region": "Región equivocada",
        "reason.service_not_offered": "Servicio que no ofrecemos",
        "reason.no_budget": "Sin presupuesto",
        "reason.bad_timing": "Mal momento",
        "reason.no_authority": "Sin autoridad para comprar",
        "reason.invalid_contact": "Datos de contacto inválidos",
        "reason.unreachable": "Inalcanzable",
        "reason.duplicate": "Duplicado",
        "reason.spam_test": "Spam o prueba",
        "reason.job_seeker_or_vendor": "Busca empleo o es proveedor",
        "reason.competitor": "Competidor",
        "reason.already_customer": "Ya es cliente",
        "reason.price": "Precio",
        "reason.no_decision": "Sin decisión",
        "reason.timing": "Momento",
        "reason.budget_cut": "Recorte de presupuesto",
        "reason.product_fit": "Encaje del producto",
        "reason.not_ready": "Aún no está listo",
        "reason.needs_education": "Necesita formación",
        "reason.other": "Otro",
        "cli.description": "Smarketing Bot: el acuerdo entre marketing y ventas, en el chat.",
        "cli.not_available": "'smarketing {command}' aún no está disponible.",
        "cli.db_upgraded": "La base de datos está al día ({url}).",
        "cli.config_error": "Error de configuración: {message}",
        "cli.help.serve": "ejecuta el bot: Slack, API de entrada, programador",
        "cli.help.demo": "datos de ejemplo, embudo y resumen; sin Slack",
        "cli.help.demo_db": "archivo SQLite",
        "cli.help.import": "importa leads de una exportación CSV",
        "cli.help.backfill": "guarda sin publicar tarjetas",
        "cli.help.post_since": (
            "publica tarjetas de los leads creados desde: 24h (por defecto), 7d, una fecha"
        ),
        "cli.help.dry_run": "revisa y cuenta; no guarda nada",
        "cli.help.import_metrics": "importa las cifras diarias de marketing",
        "cli.help.funnel": "el informe del embudo",
        # /funnel: el informe (handlers.slack.funnel), sus respuestas en Slack y su comando
        "funnel.report.title": "Embudo · {period}",
        "funnel.report.title_own": "Embudo · {period} · solo tus leads",
        "funnel.report.cohort": (
            "Cuenta los leads creados en el periodo, cada uno en la etapa más avanzada a la que"
            " llegó (/sla cuenta en cambio las entregas hechas en el periodo)."
        ),
        "funnel.report.compared": "El cambio es respecto a {period}.",
        "funnel.report.empty": "No se creó ningún lead en este periodo.",
        "funnel.report.stages": "Etapas",
        "funnel.report.col_stage": "Etapa",
        "funnel.report.col_leads": "Leads",
        "funnel.report.col_change": "Cambio",
        "funnel.report.col_of_previous": "De la anterior",
        "funnel.report.col_of_all": "Del total",
        "funnel.report.exits": "Salidas y sus motivos principales",
        "funnel.report.exit": "{exit}: {count}",
        "funnel.report.exit_reasons": "{exit} — {reasons}",
        "funnel.report.reason": "{reason} {count}",
        "funnel.report.no_reason": "sin motivo",
        "funnel.report.revenue": "Ingresos ganados",
        "funnel.report.revenue_change": "{amount} ({change} respecto al periodo anterior)",
        "funnel.report.clock.routing": "Demora de asignación (tarjeta publicada → aceptada)",
        "funnel.report.clock.profile": "Perfilado (captado → perfilado)",
        "funnel.report.clock.response": "Tiempo de respuesta (aceptada → primer contacto)",
        "funnel.report.clock.contact": "Contactarlo (aceptado → contactado)",
        "funnel.report.clock.qualify": "Hasta la reunión (contactado → calificado)",
        "funnel.report.clock.win": "Cierre (calificado → ganado)",
        "funnel.report.median": "{duration}, la mediana exacta de {count} leads",
        "funnel.report.median_one": "{duration}, de un solo lead",
        "funnel.report.no_median": "aún sin medir para estos leads",
        "funnel.report.sla": "Leads perfilados frente al SLA",
        "funnel.report.sla_of": (
            "{profiled} de los {needed} comprometidos por marketing para estas fechas"
        ),
        "funnel.report.by": "Por {dimension}",
        "funnel.report.col_qualified": "Calificados",
        "funnel.report.col_won": "Ganados",
        "funnel.report.col_revenue": "Ingresos",
        "funnel.report.col_qualified_share": "% calificados",
        "funnel.report.col_impressions": "Impresiones",
        "funnel.report.impressions": "Impresiones",
        "funnel.report.clicks": "Clics (tasa de clics)",
        "funnel.report.clicks_of": "{clicks} ({share})",
        "funnel.report.per_thousand": "Leads por cada mil impresiones",
        "funnel.report.platform_leads": "Leads que contaron las plataformas",
        "funnel.report.platform_leads_of": (
            "{platform} (el bot recibió {bot}; cifras de {days} días)"
        ),
        "funnel.slack.files_coming": (
            "Los archivos que pediste van camino a tus mensajes directos con el bot."
        ),
        "funnel.slack.files_comment": "El embudo de {window}, como lo pediste con /funnel.",
        "funnel.slack.files_failed": (
            "Slack no aceptó el gráfico o la exportación en este momento; "
            "vuelve a pedirlo en un minuto."
        ),
        "funnel.report.none": "(ninguno)",
        "funnel.report.other": "otros ({count} valores)",
        "funnel.report.no_rows": "No hay leads en este periodo.",
        "funnel.report.times": "Días y horas en {timezone}; relojes en horario hábil.",
        "funnel.report.text": "{title}: {leads} leads, {won} ganados, ingresos {revenue}.",
        "funnel.slack.more_rows": "_+{count} más sin mostrar_",
        "funnel.slack.not_allowed": (
            "`/funnel` es para vendedores, marketing y gerentes; pídeselo a un gerente si lo"
            " necesitas."
        ),
        "funnel.cli.chart_written": "Gráfico guardado en {path}",
        "funnel.cli.csv_written": "CSV guardado en {path}",
        "funnel.cli.not_written": "No se pudo escribir {path}: {error}",
        "funnel.cli.demo_chart": "El embudo en un gráfico (PNG): {path}",
        "chart.leads_axis": "Leads creados en el periodo",
        "chart.platform_axis": "Según las plataformas de marketing",
        "chart.impressions": "Impresiones",
        "chart.clicks": "Clics",
        "chart.per_thousand": "{impressions} · {rate} leads por cada mil",
        "chart.local_axis": "{dimension} ({timezone})",
        "csv.col_section": "Sección",
        "csv.col_code": "Código",
        "csv.col_label": "Nombre",
        "csv.col_value": "Valor",
        "csv.col_previous": "Periodo anterior",
        "csv.col_change": "Cambio",
        "csv.col_of_previous": "De la anterior (0-1)",
        "csv.col_of_all": "Del total de leads (0-1)",
        "csv.col_stored": "Valor guardado",
        "csv.col_folded": "Valores agrupados en la fila",
        "csv.col_qualified_share": "Proporción calificada (0-1)",
        "csv.col_impressions": "Impresiones",
        "csv.col_per_thousand": "Leads por cada mil impresiones",
        "csv.impressions": "Impresiones",
        "csv.clicks": "Clics",
        "csv.platform_leads": "Leads que contaron las plataformas",
        "csv.platform_days": "Días con cifras de las plataformas",
        "csv.per_thousand": "Leads por cada mil impresiones",
        "csv.reason": "{exit}: {reason}",
        "csv.median": "{clock}, mediana en minutos hábiles",
        "csv.median_leads": "{clock}, leads medidos",
        "funnel.cli.only_period": (
            "--period admite un periodo, como 30d, last-month o 2026-10; se recibió '{value}'."
        ),
        "funnel.cli.only_by": (
            "--by admite un desglose, uno de: {dimensions}; se recibió '{value}'."
        ),
        "funnel.cli.demo_window": "los últimos {days} días",
        "cli.help.digest": "el resumen semanal",
        "cli.help.review": "el recordatorio y la agenda de la revisión del SLA",
        "cli.help.schedule": "tareas programadas y sus últimas ejecuciones",
        "cli.help.outbox": "mensajes pendientes de entrega",
        "cli.help.sla": "la política del SLA",
        # The SLA policy: what each key means, what a bad value is told, the plan
        "sla.meaning.period": "cada cuánto se cuentan las metas: week, month o quarter",
        "sla.meaning.revenue_goal": "ingresos que ventas busca ganar cada periodo (0: sin fijar)",
        "sla.meaning.average_deal_value": "lo que vale en promedio una venta ganada (0: sin fijar)",
        "sla.meaning.leads_per_sale": "leads perfilados que hacen falta para una venta",
        "sla.meaning.profiled_share_min": "parte mínima de los leads captados que llega perfilada",
        "sla.meaning.first_touch_minutes": (
            "minutos hábiles que tiene ventas para el primer contacto con un lead"
        ),
        "sla.meaning.unclaimed_after_minutes": (
            "minutos hábiles antes de volver a ofrecer un lead que nadie aceptó"
        ),
        "sla.meaning.attempts_min": "intentos de contacto de un vendedor antes de rendirse",
        "sla.meaning.attempts_window_days": "días hábiles en que se reparten esos intentos",
        "sla.meaning.give_up": "un lead nunca alcanzado vuelve a nutrición, o se rechaza",
        "sla.meaning.assignment": (
            "claim: el primer vendedor que lo toma; round_robin: los vendedores por turno"
        ),
        "sla.meaning.work_days": "días en que trabaja ventas; los relojes del SLA paran los demás",
        "sla.meaning.work_hours": "horario de ventas (00:00-24:00: todo el día)",
        "sla.meaning.holidays": "fechas sin trabajo, AAAA-MM-DD",
        "sla.meaning.seller_weights": (
            "parte del turno rotativo por vendedor (U01:2 recibe el doble); 1 cada uno"
        ),
        "sla.meaning.open_leads_cap": "máximo de leads abiertos por vendedor (vacío: sin tope)",
        "sla.meaning.required_fields": "lo que trae cada lead entregado (| = uno u otro)",
        "sla.meaning.sellers_see_all": "los vendedores ven todo /funnel, no solo sus leads",
        "sla.period.week": "semana",
        "sla.period.month": "mes",
        "sla.period.quarter": "trimestre",
        "sla.error.unknown_key": "{setting}: no existe ese ajuste; los ajustes son {known}.",
        "sla.error.choice": "{setting} debe ser uno de {allowed}; se recibió '{value}'.",
        "sla.error.amount": (
            "{setting} debe ser un número, 0 o más, como {example} (0: sin fijar); "
            "se recibió '{value}'."
        ),
        "sla.error.leads_per_sale": (
            "{setting} debe ser un número de al menos 1, como 8 (una venta cada 8 leads); "
            "se recibió '{value}'."
        ),
        "sla.error.share": (
            "{setting} debe ser una proporción de 0 a 1, como 0.6 o 60%; se recibió '{value}'."
        ),
        "sla.error.whole": (
            "{setting} debe ser un número entero de {minimum} a {maximum}, como {example}; "
            "se recibió '{value}'."
        ),
        "sla.error.open_leads_cap": (
            "{setting} debe ser un número entero de al menos 1, como 10, o vacío para no poner "
            "tope; se recibió '{value}'."
        ),
        "sla.error.work_days": (
            "{setting} deben ser días como mon-fri, lun,mie,vie o mon-sun; se recibió '{value}'."
        ),
        "sla.error.work_hours": (
            "{setting} debe ser una hora de apertura y una de cierre como 09:00-18:00 "
            "(00:00-24:00 para todo el día); se recibió '{value}'."
        ),
        "sla.error.work_hours_order": (
            "{setting}: el cierre debe ser después de la apertura, como 09:00-18:00; "
            "se recibió '{value}'."
        ),
        "sla.error.holidays": (
            "{setting} deben ser fechas como 2026-12-25,2027-01-01 (vacío si no hay); "
            "'{item}' no es una fecha."
        ),
        "sla.error.seller_weights": (
            "{setting} deben ser ids de usuario de Slack con un peso de 1 a {maximum}, como "
            "U0123ABCD:2,U0456EFGH:1 (vacío: 1 cada uno); '{item}' no lo es."
        ),
        "sla.error.seller_repeated": (
            "{setting} nombra dos veces a {user}; da a cada vendedor un solo peso."
        ),
        "sla.error.required_fields": (
            "{setting} deben ser campos del lead separados por comas, | para uno u otro, como "
            "email|phone,summary; '{item}' no es un campo del lead (son {fields})."
        ),
        "sla.error.boolean": "{setting} debe ser true o false; se recibió '{value}'.",
        "sla.plan.revenue": (
            "La meta de ingresos debe ser mayor que 0 para planear las ventas; se recibió {value}."
        ),
        "sla.plan.deal": (
            "El valor promedio de una venta debe ser mayor que 0 para contar las ventas "
            "necesarias; se recibió {value}."
        ),
        "sla.plan.leads_per_sale": (
            "Los leads por venta deben ser al menos 1 (una venta cada N leads); se recibió {value}."
        ),
        "sla.plan.bad_argument": "{name} debe ser un número como {example}; se recibió '{value}'.",
        "sla.plan.usage": (
            "Escríbelo así: plan INGRESOS VENTA N, como plan 100.000 6.667 8 "
            "(una venta cada N leads)."
        ),
        "sla.plan.sales_line": "Ventas necesarias: {sales} ({revenue} ÷ {deal}, redondeado arriba)",
        "sla.plan.leads_line": (
            "Leads perfilados a entregar: {leads} ({sales} × {leads_per_sale}, redondeado arriba)"
        ),
        # smarketing sla
        "cli.sla.title_default": (
            "Política del SLA: los valores por defecto (nadie los ha cambiado)."
        ),
        "cli.sla.title": "Política del SLA, versión {version}: cambiada por {by} el {at}.",
        "cli.sla.by_cli": "la línea de comandos",
        "cli.sla.col_setting": "ajuste",
        "cli.sla.col_value": "valor",
        "cli.sla.col_meaning": "significado",
        "cli.sla.plan": "Plan para cada {period}:",
        "cli.sla.no_plan": (
            "Aún no hay plan: fija la meta de ingresos y el valor promedio de venta, p. ej. "
            "smarketing sla set revenue_goal=100k average_deal_value=6.667"
        ),
        "cli.sla.history": "Últimos cambios:",
        "cli.sla.history_line": "v{version}  {at}  {by}: {changes}",
        "cli.sla.change": "{setting} {old} → {new}",
        "cli.sla.how_to_change": (
            "Cámbiala con: smarketing sla set CLAVE=VALOR … (gerentes en Slack: /sla edit)."
        ),
        "cli.sla.changed": "Política del SLA cambiada (ahora versión {version}):",
        "cli.sla.unchanged": "Nada cambió: la política ya dice eso (versión {version}).",
        "cli.sla.not_changed": "La política del SLA no se cambió:",
        "cli.sla.not_assignment": (
            "'{word}' no tiene la forma CLAVE=VALOR; escribe un ajuste como attempts_min=6."
        ),
        "cli.sla.repeated_key": "{setting} aparece dos veces; dalo una sola vez.",
        "cli.help.routing": "reglas de enrutamiento por canal",
        "cli.help.manifest": "el manifiesto de la app de Slack",
        "cli.help.db": "mantenimiento de la base de datos",
        "cli.help.db_upgrade": "aplica las migraciones del esquema",
        "config.required": (
            "{name} es obligatoria para ejecutar el bot; defínela en el entorno o en .env "
            "(ver .env.example)."
        ),
        "config.required_more": (
            "{name} es obligatoria para ejecutar el bot (también faltan: {others})."
        ),
        "config.prefix": "{name} debe empezar por '{prefix}'.",
        "config.url": "{name} debe ser una URL http(s); se recibió '{value}'.",
        "config.channel": (
            "{name} debe ser un id de canal de Slack como C0123ABCD; se recibió '{value}'."
        ),
        "config.user_ids": (
            "{name} debe ser una lista de ids de usuario de Slack separados por comas, "
            "como U0123ABCD; se recibió '{value}'."
        ),
        "config.database_url": "{name} no es una URL de base de datos: '{value}'.",
        "config.database_backend": (
            "{name} debe ser una URL sqlite:/// o postgresql+psycopg://; se recibió '{value}'."
        ),
        "config.timezone": (
            "{name} debe ser una zona horaria IANA como America/Mexico_City; se recibió '{value}'."
        ),
        "config.choice": "{name} debe ser uno de {allowed}; se recibió '{value}'.",
        "config.region": (
            "{name} debe ser un código de región de dos letras como MX; se recibió '{value}'."
        ),
        "config.integer": "{name} debe ser un número entero; se recibió '{value}'.",
        "config.range": "{name} debe estar entre {minimum} y {maximum}; se recibió {value}.",
        "config.minimum": "{name} debe ser al menos {minimum}; se recibió {value}.",
        "demo.title": "Demostración de Smarketing Bot",
        "demo.database": "Base de datos de ejemplo: {path} ({leads} leads, {events} eventos)",
        "demo.next": (
            "Siguiente paso: conecta un espacio de trabajo de Slack (README, 'Install in your "
            "Slack workspace') y ejecuta 'smarketing serve'."
        ),
        "dimension.zone": "zona",
        "dimension.service": "servicio",
        "dimension.source": "fuente",
        "dimension.seller": "vendedor",
        "delivery.headline": "{name} · {company}",
        "delivery.new_lead_text": "Nuevo lead para ventas: {lead}",
        "delivery.profile": "Ver perfil",
        "demo.card": "El lead abierto más reciente, tal como lo muestra su tarjeta en Slack:",
        "thread.claimed": ":raised_hand: {user} tomó este lead.",
        "feedback.headline": ":outbox_tray: *{state}*: {lead}",
        "feedback.text": "{state}: {lead} ({reason})",
        "feedback.reason": "Motivo",
        "feedback.seller": "Vendedor",
        "feedback.rating": "Calidad del lead",
        "feedback.stars": "{rating} de 5",
        "feedback.note": "Nota del vendedor",
        "feedback.contest": "Impugnar",
        "feedback.card": "Ver la tarjeta",
        "thread.attempt": ":telephone_receiver: {user} registró un intento: {how}, {outcome}.",
        "thread.meeting": ":calendar: {user} agendó una reunión para el {when}.",
        "thread.won": ":trophy: {user} ganó el negocio: {value}.",
        "thread.closed": ":wave: {user} lo marcó como {state}: {reason}.",
        "thread.undone": ":leftwards_arrow_with_hook: {user} deshizo su última acción ({what}).",
        "work.not_yours": "Este lead es de {owner}: solo esa persona o un gerente pueden hacerlo.",
        "work.not_a_seller": "Solo vendedores y gerentes pueden hacerlo.",
        "work.not_now": "Eso no se puede hacer ahora: el lead está en «{state}».",
        "work.not_found": "Este lead ya no existe en el bot.",
        "work.nothing_to_undo": "No tienes nada que deshacer en este lead.",
        "work.too_late": "Demasiado tarde: una acción se puede deshacer durante 10 minutos.",
        "work.what.claim": "tomar el lead",
        "work.what.accept": "aceptar el lead",
        "work.what.attempt": "un intento",
        "work.what.contact": "un intento con contacto",
        "work.what.qualify": "la reunión",
        "work.what.win": "el negocio ganado",
        "work.what.reject": "no encaja",
        "work.what.lose": "perdido",
        "work.what.nurture": "a nutrición",
        "work.not_a_manager": "Solo los gerentes pueden reasignar o reabrir un lead.",
        "work.not_a_marketer": "Solo marketing puede impugnar el veredicto de un vendedor.",
        "work.already_contested": (
            "{marketer} ya impugnó este veredicto;"
            " está en la agenda de la próxima revisión del SLA."
        ),
        "work.verdict_changed": "Ese veredicto ya no vale: el lead ahora está en «{state}».",
        "thread.reassigned": (
            ":arrows_counterclockwise: {user} reasignó este lead de {previous} a {owner}. {note}"
        ),
        "thread.reopened": ":recycle: {user} reabrió este lead en «{state}»: {note}",
        "thread.contested": (
            ":triangular_flag_on_post: {user} (marketing) impugna el veredicto de {seller},"
            " «{state}» ({reason}): {note}\nVa a la agenda de la próxima revisión del SLA."
        ),
        "direct.reassigned": (
            ":inbox_tray: {user} te asignó un lead: *{lead}*. Antes lo tenía {previous}. {note}"
        ),
        "feedback.contested": ":triangular_flag_on_post: Impugnado por {user}: {text}",
        "manage.error.same_owner": "Este vendedor ya tiene el lead: elige a otra persona.",
        "manage.error.not_a_seller": "Esa persona no es vendedora aquí: elige a un vendedor.",
        "modal.reassign.title": "Reasignar lead",
        "modal.reassign.to": "Nuevo responsable",
        "modal.reassign.placeholder": "Elige un vendedor",
        "modal.reassign.hint": "Recibe un mensaje directo con el enlace a la tarjeta.",
        "modal.reopen.title": "Reabrir lead",
        "modal.reopen.why": "¿Por qué se reabre?",
        "modal.reopen.hint": "El lead vuelve a la etapa que había alcanzado, con su responsable.",
        "modal.contest.title": "Impugnar veredicto",
        "modal.contest.verdict": "{seller} lo marcó como «{state}»: {reason}.",
        "modal.contest.why": "¿Por qué este lead sí encajaba?",
        "modal.contest.hint": (
            "El vendedor lo lee en el hilo de la tarjeta; va a la próxima revisión del SLA."
        ),
        "modal.error.reassign_to": "Elige al vendedor que se queda con el lead.",
        "modal.error.reopen_why": "Explica por qué se reabre el lead.",
        "modal.error.contest_why": "Explica por qué este lead encajaba.",
        "card.not_available": "Eso aún no está disponible.",
        "claim.not_a_seller": (
            "Solo los vendedores pueden tomar leads: consulta con un gerente si deberías serlo."
        ),
        "claim.taken": "{owner} ya tiene este lead.",
        "claim.closed": "Este lead ya no se puede tomar: ahora está en «{state}».",
        "claim.not_found": "Este lead ya no existe en el bot.",
        "modal.submit": "Guardar",
        "modal.close": "Cancelar",
        "modal.lead": "Lead: *{name}*",
        "modal.lead_at": "Lead: *{name}* · {company}",
        "modal.choose": "Elige una opción",
        "modal.note": "Nota",
        "modal.note_placeholder": "Lo que el equipo o marketing deban saber",
        "modal.attempt.title": "Registrar intento",
        "modal.attempt.how": "¿Cómo lo contactaste?",
        "modal.attempt.channel.call": "Llamada",
        "modal.attempt.channel.email": "Correo",
        "modal.attempt.channel.whatsapp": "WhatsApp",
        "modal.attempt.channel.other": "Otro",
        "modal.attempt.outcome": "¿Cómo resultó?",
        "modal.attempt.outcome.no_answer": "No contestó",
        "modal.attempt.outcome.left_message": "Dejé un mensaje",
        "modal.attempt.outcome.connected": "Conectamos: hablamos",
        "modal.attempt.outcome_hint": "Si hablaron, el lead pasa a contactado.",
        "modal.meeting.title": "Reunión agendada",
        "modal.meeting.when": "¿Cuándo es la reunión?",
        "modal.won.title": "Venta ganada",
        "modal.won.value": "Valor de la venta",
        "modal.won.hint": "Un número, p. ej. 6667, 6.667,50 o 12k.",
        "modal.rating": "Calidad del lead",
        "modal.rating_placeholder": "Valora el lead",
        "modal.rating_hint": "Llega a marketing como valoración de los leads que envía.",
        "modal.rating.1": "1 — lead malo",
        "modal.rating.2": "2 — lead flojo",
        "modal.rating.3": "3 — lead regular",
        "modal.rating.4": "4 — buen lead",
        "modal.rating.5": "5 — lead excelente",
        "modal.exit.title.rejected": "No encaja",
        "modal.exit.title.lost": "Perdido",
        "modal.exit.title.nurture": "De vuelta a nutrición",
        "modal.exit.reason": "Motivo",
        "modal.exit.reason_placeholder": "Elige un motivo",
        "modal.exit.hint.rejected": "Marketing ve este motivo: le dice qué leads dejar de enviar.",
        "modal.exit.hint.lost": "Por qué no se cerró la venta; se cuenta en el embudo.",
        "modal.exit.hint.nurture": "Marketing retoma el lead en un flujo de nutrición.",
        "modal.error.attempt_how": "Elige cómo lo contactaste.",
        "modal.error.attempt_outcome": "Elige cómo resultó el intento.",
        "modal.error.meeting_when": "Elige la fecha y la hora de la reunión.",
        "modal.error.meeting_past": "La reunión debe ser en el futuro.",
        "modal.error.won_value_missing": "Indica el valor de la venta, p. ej. 6667.",
        "modal.error.won_value_number": "El valor de la venta debe ser un número, p. ej. 6667.",
        "modal.error.won_value_negative": "El valor de la venta no puede ser negativo.",
        "modal.error.rating": "La calidad del lead debe ser un número entero del 1 al 5.",
        "modal.error.reason_missing": "Elige un motivo.",
        "modal.error.reason_other_exit": "Elige uno de los motivos de «{exit}».",
        "card.summary": "Análisis",
        "card.history": "Historial con nosotros",
        "card.approach": "Cómo abordarlo",
        "card.custom_fields": "Otros datos",
        "card.custom_fields_more": "…y {count} más",
        "card.field.company": "Empresa",
        "card.field.job_title": "Cargo",
        "card.field.email": "Correo",
        "card.field.phone": "Teléfono",
        "card.field.score": "Puntuación",
        "card.field.origin": "Fuente · campaña",
        "card.field.zone": "Zona",
        "card.field.service": "Servicio",
        "card.field.age_range": "Rango de edad",
        "card.field.estimated_value": "Valor estimado",
        "card.button.claim": "Tomar",
        "card.button.not_a_fit": "No encaja",
        "card.button.log_attempt": "Registrar intento",
        "card.button.meeting_booked": "Reunión agendada",
        "card.button.won": "Ganado",
        "card.button.lost": "Perdido",
        "card.button.nurture": "A nutrición",
        "card.menu.undo": "Deshacer mi última acción",
        "card.menu.reassign": "Reasignar",
        "card.menu.reopen": "Reabrir",
        "card.context.state": "*{state}*",
        "card.context.owner": "responsable {owner}",
        "card.context.unclaimed": "nadie lo ha tomado aún",
        "card.context.since": "entregado hace {elapsed}",
        "card.button.accept": "Aceptar",
        "card.context.offered": "ofrecido a {user}",
        "card.context.first_touch_due": ":stopwatch: primer contacto antes de las {due}",
        "card.context.first_touch_late": ":rotating_light: primer contacto con {late} de retraso",
        "thread.accepted": ":handshake: {user} aceptó este lead.",
        "thread.reoffered": (
            ":repeat: Nadie tomó este lead en {minutes} minutos hábiles: cualquier vendedor puede"
            " tomarlo."
        ),
        "thread.reoffered_to": (
            ":repeat: No fue aceptado en {minutes} minutos hábiles: ahora se ofrece a {user}."
        ),
        "thread.gave_up": (
            ":zzz: Sin un intento conectado en {days} días hábiles tras {attempts} intentos de"
            " {owner}: pasa a *{state}* por inalcanzable, como dice el SLA."
        ),
        "claim.offered": (
            "Este lead está ofrecido a {user}: solo esa persona puede aceptarlo hasta que se"
            " ofrezca de nuevo."
        ),
        "work.offered_elsewhere": (
            "Este lead está ofrecido a {assignee}: solo esa persona o un gerente pueden actuar"
            " sobre él hasta que alguien lo acepte."
        ),
        "sla.reminder.first_touch": (
            ":hourglass_flowing_sand: {lead} espera su primer contacto: antes de {when}"
            " (quedan {left} minutos hábiles). Registra un intento en la tarjeta al contactarlo."
        ),
        "sla.escalation.first_touch": (
            ":rotating_light: {lead}: {owner} lo aceptó el {when} y no lo ha contactado en los"
            " {allowed} minutos hábiles acordados ({late} minutos de retraso)."
        ),
        "sla.escalation.attempts": (
            ":rotating_light: {lead}: {days} días hábiles desde que {owner} lo aceptó sin un"
            " intento conectado, y {attempts} de los {needed} intentos acordados registrados."
        ),
        "sla.escalation.unclaimed": (
            ":rotating_light: {lead}: nadie lo ha aceptado en {minutes} minutos hábiles."
        ),
        "sla.escalation.unclaimed_offered": (
            ":rotating_light: {lead}: ofrecido a {user} y sin aceptar en {minutes} minutos hábiles."
        ),
        "duration.just_now": "unos instantes",
        "duration.minutes": "{minutes} min",
        "duration.hours": "{hours} h",
        "duration.hours_minutes": "{hours} h {minutes} min",
        "duration.days_hours": "{days} d {hours} h",
        "slack.error": (
            "Lo sentimos, algo falló de nuestro lado. Quedó registrado; vuelve a intentarlo "
            "en un momento."
        ),
        "home.title": "Smarketing Bot",
        "home.intro": (
            "Aquí verás tus leads, el embudo compartido y el SLA entre marketing y ventas."
        ),
        "home.commands": "Prueba `/funnel` para el embudo y `/sla` para el acuerdo.",
        "schedule.empty": "La programación está vacía; escríbela como '{example}'.",
        "schedule.weekly": "'{text}' no es un día y una hora; escríbelo como '{example}'.",
        "schedule.cadence": (
            "'{text}' no es una frecuencia de reuniones; escríbela como '{example}'."
        ),
        "schedule.first_missing": (
            "'{text}' no dice cuándo es la primera reunión; termínalo con 'desde' (o 'from') "
            "y una fecha, como '{example}'."
        ),
        "schedule.weekday": (
            "'{value}' no es un día de la semana (lun a dom, o mon a sun en inglés); "
            "escríbelo como '{example}'."
        ),
        "schedule.time": (
            "'{value}' no es una hora del día: usa HH:MM de 24 horas, de 00:00 a 23:59, "
            "como '{example}'."
        ),
        "schedule.weeks": (
            "'{value}' no es un número de semanas: usa un número entero de 1 a 52, "
            "como '{example}'."
        ),
        "schedule.date": "'{value}' no es una fecha: usa AAAA-MM-DD, como '{example}'.",
        "schedule.first_day": (
            "{date} es {actual}, no {day}: la primera reunión debe caer en el día de la "
            "reunión, como '{example}'."
        ),
        "schedule.duration": (
            "'{value}' no es un lapso de tiempo: usa días, horas y minutos como 24h, 90m, "
            "2d o 1h30m."
        ),
        "schedule.duration_zero": "'{value}' no es ningún tiempo: debe ser mayor que cero.",
        "schedule.duration_long": "'{value}' es demasiado: como máximo {days} días.",
        "schedule.day.mon": "lunes",
        "schedule.day.tue": "martes",
        "schedule.day.wed": "miércoles",
        "schedule.day.thu": "jueves",
        "schedule.day.fri": "viernes",
        "schedule.day.sat": "sábado",
        "schedule.day.sun": "domingo",
        "home.leads.title": "Tus leads abiertos ({count})",
        "home.leads.none": (
            "No tienes leads abiertos ahora. Los nuevos llegan como tarjetas al canal de ventas."
        ),
        "home.leads.line": "{state} · entregado hace {elapsed}",
        "home.open_card": "Ver tarjeta",
        "home.more": "…y {count} más.",
        "home.week.title": "Esta semana",
        "home.week.period": "Desde el lunes {date}, 00:00 ({timezone}) hasta ahora",
        "home.week.handed_over": "Entregados",
        "home.week.accepted": "Aceptados",
        "home.week.won_value": "{count} · {revenue} ganados",
        "home.week.reasons": "Principales motivos de «no encaja»",
        "home.week.reason": "• {reason}: {count}",
        "home.contests.title": "Impugnaciones abiertas ({count})",
        "home.contests.none": "No hay veredictos impugnados ahora.",
        "home.contests.line": "{marketer} impugna el veredicto de {seller}: *{verdict}*",
        "home.contests.words": "«{text}»",
        "manifest.description": (
            "Traspaso de leads, SLA y embudo compartido para marketing y ventas."
        ),
        "manifest.funnel": "El embudo, desglosado por zona, vendedor, campaña y más",
        "manifest.funnel_hint": "[periodo] [by zone|age|service|seller|source|campaign] [chart]",
        "manifest.sla": "El SLA entre marketing y ventas",
        "slash.sla.help": (
            "`/sla` el marcador · `/sla plan INGRESOS TICKET N` ventas y leads que pide una meta,"
            " p. ej. `/sla plan 100.000 6.667 8` · `/sla edit` la política (gerentes)"
            " · `/sla away` (`ausente`) / `/sla back` (`vuelvo`) salir o volver a la"
            " rotación (vendedores)"
        ),
        "slash.sla.not_understood": "No entiendo `/sla {text}`. {help}",
        "slash.sla.managers_only": (
            "Solo los gerentes pueden cambiar la política del SLA; `/sla` la muestra."
        ),
        "modal.sla.title": "Política del SLA",
        "modal.sla.intro": (
            "Cambia lo que acordaron los equipos; cada ajuste dice qué significa. Cada cambio"
            " queda con tu nombre para la próxima revisión del SLA."
        ),
        "scorecard.title": ":handshake: *El SLA, {period}*",
        "scorecard.text": "El SLA, {period}: {handed_over} leads perfilados entregados",
        "scorecard.marketing": "Marketing",
        "scorecard.sales": "Ventas",
        "scorecard.handed_over": "Leads perfilados entregados",
        "scorecard.handed_over_of": "{count} de {needed} · a este ritmo, {projected}",
        "scorecard.handed_over_no_goal": "{count} (aún no hay meta de ingresos)",
        "scorecard.profiled_share": "Leads captados que llegaron perfilados",
        "scorecard.share_of": "{share} de {captured} · meta {aim}",
        "scorecard.no_leads_aim": "aún no hay leads captados · meta {aim}",
        "scorecard.missing_fields": "Entregas sin un campo obligatorio",
        "scorecard.routing": "Demora de asignación, mediana (publicado → aceptado)",
        "scorecard.response": "Tiempo de respuesta, mediana (aceptado → primer contacto)",
        "scorecard.in_time": "Primer contacto dentro de {limit}",
        "scorecard.in_time_of": "{share} ({count} de {touched})",
        "scorecard.attempts": "Intentos por lead aceptado",
        "scorecard.breaches": "Incumplimientos (escalados)",
        "scorecard.breaches_of": "{open} abiertos ahora · este periodo: {raised}",
        "scorecard.breach.first_touch_late": "{count} primer contacto tardío",
        "scorecard.breach.unclaimed_late": "{count} sin aceptar",
        "scorecard.breach.attempts_missing": "{count} con intentos insuficientes",
        "scorecard.note": (
            "Contado según cuándo ocurrió cada cosa en el periodo; tiempos en horario hábil"
            " ({timezone}). `/sla plan INGRESOS TICKET N` · `/sla edit` (gerentes)"
        ),
        "scorecard.period.week": "semana del {date}",
        # /funnel: la consulta, sus periodos y sus errores (bot.domain.funnel_query)
        "funnel.period.today": "hoy ({date})",
        "funnel.period.last_days": "últimos {days} días (del {start} al {end})",
        "funnel.period.this_week": "esta semana, desde el {date}",
        "funnel.period.week": "semana del {date}",
        "funnel.period.this_month": "{month} de {year} hasta hoy",
        "funnel.period.month": "{month} de {year}",
        "funnel.period.this_quarter": "T{quarter} {year} hasta hoy",
        "funnel.period.quarter": "T{quarter} {year}",
        "funnel.period.day": "{date}",
        "funnel.period.range": "del {start} al {end}",
        "funnel.period.all": "todo el historial",
        "funnel.keyword.zone": "zona",
        "funnel.keyword.age": "edad",
        "funnel.keyword.service": "servicio",
        "funnel.keyword.seller": "vendedor",
        "funnel.keyword.source": "fuente",
        "funnel.keyword.campaign": "campaña",
        "funnel.keyword.channel": "canal",
        "funnel.keyword.weekday": "día",
        "funnel.keyword.hour": "hora",
        "funnel.error.unknown_word": (
            "No entendí `{word}`. Escribe `/funnel ayuda` para ver ejemplos."
        ),
        "funnel.error.bare_dimension": (
            "La palabra `{word}` sola no basta: escribe `por {word}` para desglosar el embudo."
        ),
        "funnel.error.by_missing": "Después de `{word}` falta el desglose, uno de: {dimensions}.",
        "funnel.error.by_unknown": (
            "El embudo no se puede desglosar por `{word}`; elige uno de: {dimensions}."
        ),
        "funnel.error.two_dimensions": "Dos desgloses: `{first}` y `{second}`. Elige uno.",
        "funnel.error.two_periods": "Dos periodos: `{first}` y `{second}`. Elige uno.",
        "funnel.error.days": "`{text}`: el número de días debe estar entre 1 y {max}.",
        "funnel.error.date": "`{text}` no es una fecha real.",
        "funnel.error.month": "`{text}` no es un mes: escríbelo como AAAA-MM, p. ej. 2026-10.",
        "funnel.error.year": "`{text}`: el año debe estar entre {min} y {max}.",
        "funnel.error.range_order": (
            "`{text}`: la fecha final {end} es anterior a la inicial {start}."
        ),
        "funnel.help": (
            "*`/funnel`: el embudo compartido de los leads creados en un periodo*\n"
            "`/funnel [periodo] [por desglose] [grafico] [exportar]`, en cualquier orden.\n\n"
            "*Periodo* (por defecto: el periodo del SLA en curso, hasta hoy)\n"
            "• `7d`, `30d`, cualquier `Nd` hasta 3660: hoy y los días anteriores\n"
            "• `esta-semana`, `semana-pasada` (las semanas empiezan el lunes)\n"
            "• `este-mes`, `mes-pasado`, `este-trimestre`, `trimestre-pasado`\n"
            "• `2026-10`: un mes entero\n"
            "• `2026-10-01..2026-10-15`: esos días, ambos incluidos\n"
            "• `todo`: todos los leads desde siempre\n"
            "*Desglose*: `por zona`, `por edad`, `por servicio`, `por vendedor`, `por fuente`, "
            "`por campaña`, `por canal`, `por día`, `por hora`\n"
            "*Gráfico*: `grafico` envía el embudo como imagen, por mensaje directo\n"
            "*Exportar*: `exportar` lo envía como archivo CSV, por mensaje directo\n\n"
            "*Ejemplos*\n"
            "`/funnel`\n"
            "`/funnel mes-pasado por campaña`\n"
            "`/funnel 30d por vendedor grafico`\n"
            "`/funnel 2026-10-01..2026-10-15 por zona exportar`\n\n"
            "Los días y las fechas siguen la zona horaria del equipo. Las palabras en inglés "
            "también valen: `last-month`, `by zone`, `chart`."
        ),
        "scorecard.period.month": "{month} de {year}",
        "scorecard.period.quarter": "T{quarter} {year}",
        "scorecard.month.1": "enero",
        "scorecard.month.2": "febrero",
        "scorecard.month.3": "marzo",
        "scorecard.month.4": "abril",
        "scorecard.month.5": "mayo",
        "scorecard.month.6": "junio",
        "scorecard.month.7": "julio",
        "scorecard.month.8": "agosto",
        "scorecard.month.9": "septiembre",
        "scorecard.month.10": "octubre",
        "scorecard.month.11": "noviembre",
        "scorecard.month.12": "diciembre",
        "manifest.sla_hint": "[plan INGRESOS TICKET N | edit | away | back]",
        # Round-robin: ausente y de vuelta
        "away.now_away": "Estás ausente: no se te asignan leads nuevos hasta `/sla back`.",
        "away.already_away": (
            "Ya estabas ausente: no se te asignan leads nuevos hasta `/sla back`."
        ),
        "away.now_back": "De vuelta en la rotación: otra vez recibes leads nuevos por turno.",
        "away.already_back": (
            "Ya estás en servicio: recibes leads nuevos por turno; `/sla away` los pausa."
        ),
        "away.not_a_seller": (
            "Solo los vendedores reciben leads por turno, así que solo ellos pueden "
            "ausentarse o volver."
        ),
        "rotation.claim_mode": (
            "Ahora los vendedores toman los leads del canal; esto cuenta cuando los leads "
            "se asignen por turno (round-robin)."
        ),
        "rotation.home.on_duty": (
            ":large_green_circle: *En servicio:* recibes leads nuevos por turno."
        ),
        "rotation.home.away": (
            ":double_vertical_bar: *Ausente:* no se te asignan leads nuevos hasta que vuelvas."
        ),
        "rotation.home.go_away": "Ausentarme",
        "rotation.home.come_back": "Estoy de vuelta",
        "cli.manifest_needs_url": (
            "Indica la URL pública del bot con --url (o define PUBLIC_URL), o usa --socket-mode."
        ),
        "import.no_file": "No existe el archivo: {path}",
        "import.bad_post_since": (
            "--post-since acepta una duración como 24h o 7d, o una fecha como 2026-11-01; "
            "se recibió '{value}'."
        ),
        "import.progress": "{rows} filas leídas…",
        "import.summary": (
            "{file}: exportación de {platform} ({encoding}, separador {delimiter}), {rows} filas"
        ),
        "import.tab": "tabulador",
        "import.new": "Leads nuevos: {count} (enviados a ventas: {posted})",
        "import.updated": "Avanzaron de etapa: {count}",
        "import.duplicates": "Ya conocidos: {count}",
        "import.rejected": "Filas rechazadas: {count}",
        "import.rejected_line": "  línea {line}: {reason}",
        "import.dry_run": "Simulación: no se guardó nada.",
        # smarketing import-metrics (bot.domain.metrics)
        "cli.import_metrics.not_utf8": (
            '{path} no es texto UTF-8: guárdalo como "CSV UTF-8" e impórtalo de nuevo.'
        ),
        "cli.import_metrics.no_header": "{path} está vacío: no tiene línea de encabezado.",
        "cli.import_metrics.missing_columns": (
            "El encabezado de {path} no tiene la columna {columns}. Se esperan: fecha, canal,"
            " fuente, campaña, impresiones, clics, leads (fuente y campaña pueden faltar)."
        ),
        "cli.import_metrics.unreadable": (
            "{path}, línea {line}: no se puede leer el CSV ({detail})."
        ),
        "cli.import_metrics.problem": "línea {line}: {column}: {problem}",
        "cli.import_metrics.refused": (
            "No se guardó nada: {count} problema(s) en {path}. Corrígelos e importa el archivo"
            " de nuevo."
        ),
        "cli.import_metrics.stored": (
            "Se guardaron las cifras de {count} fila(s) de {path}; las cifras que ya había para"
            " el mismo día, canal, fuente y campaña se reemplazaron."
        ),
        "cli.import_metrics.repeated": (
            "{count} fila(s) repetían el día, canal, fuente y campaña de una fila anterior;"
            " cuenta la posterior."
        ),
        "metrics.problem.missing": "falta el valor",
        "metrics.problem.blank": "está vacío",
        "metrics.problem.date": (
            "debe ser un día escrito AAAA-MM-DD (p. ej. 2026-11-20), no '{value}'"
        ),
        "metrics.problem.whole_number": "debe ser un número entero, no '{value}'",
        "metrics.problem.negative": "no puede ser negativo ({value})",
        "metrics.problem.too_large": "debe ser como máximo {maximum}, no {value}",
        "cli.routing.help_list": "las reglas, en el orden en que se prueban",
        "cli.routing.help_add": (
            "envía los leads de una zona o de un servicio a un canal: "
            "zone=VALOR|service=VALOR channel=C…"
        ),
        "cli.routing.help_remove": "borra la regla N",
        "cli.routing.title": "Reglas de enrutamiento:",
        "cli.routing.rule": "#{number}  {field} = {value}  →  {channel}",
        "cli.routing.others": "Todos los demás leads van {to_sales}.",
        "cli.routing.order": (
            "Las reglas se prueban por orden de número; la primera que coincide con un lead "
            "decide su canal."
        ),
        "cli.routing.none": "No hay reglas de enrutamiento: todos los leads van {to_sales}.",
        "cli.routing.to_sales": "al canal de ventas, {channel}",
        "cli.routing.to_sales_unset": "al canal de ventas (SALES_CHANNEL_ID no está definido)",
        "cli.routing.added": "Regla añadida: {rule}",
        "cli.routing.removed": "Regla eliminada: {rule}",
        "cli.routing.no_such_rule": (
            "No existe la regla de enrutamiento #{number}; 'smarketing routing list' muestra "
            "las reglas con sus números."
        ),
        "cli.routing.not_assignment": (
            "'{word}' no tiene la forma clave=valor; una regla se escribe zone=VALOR "
            "(o service=VALOR) channel=C0123ABCD."
        ),
        "cli.routing.unknown_key": (
            "Una regla no admite '{option}='; lleva zone= o service=, y channel=."
        ),
        "cli.routing.repeated_key": (
            "'{option}=' aparece dos veces; una regla lo lleva una sola vez."
        ),
        "cli.routing.no_field": (
            "Falta indicar a qué leads se aplica la regla: zone=VALOR o service=VALOR."
        ),
        "cli.routing.two_fields": (
            "Una regla compara un solo campo: zone= o service=, no los dos."
        ),
        "cli.routing.empty_value": (
            "'{option}=' está vacío: falta indicar el valor de {field} para esta regla."
        ),
        "cli.routing.too_long": (
            "El valor de {field} tiene {length} caracteres; una regla admite como máximo {maximum}."
        ),
        "cli.routing.no_channel": (
            "Falta el canal al que van estos leads: channel=C0123ABCD (el id que aparece al "
            "final de los detalles del canal)."
        ),
        "cli.routing.bad_channel": (
            "'{value}' no es un id de canal de Slack; un id de canal tiene la forma C0123ABCD."
        ),
        "cli.routing.duplicate": (
            "La regla #{number} ya envía los leads de {field} '{value}' a {channel}; para "
            "enviarlos a otro canal, primero hay que quitarla "
            "('smarketing routing remove {number}')."
        ),
        "cli.routing.duplicate_race": (
            "Una regla de {field} '{value}' cambió en ese mismo momento; hay que ejecutar "
            "el comando de nuevo."
        ),
        "cli.outbox.nothing_waiting": "No hay nada en espera de entrega.",
        "cli.outbox.summary": (
            "{waiting} en espera de entrega, {failing} con error; el más antiguo espera "
            "desde {since}."
        ),
        "cli.outbox.more": "…y {count} más en espera.",
        "cli.outbox.col_entry": "Entrada",
        "cli.outbox.col_lead": "Lead",
        "cli.outbox.col_channel": "Canal",
        "cli.outbox.col_attempts": "Intentos",
        "cli.outbox.col_next": "Próximo intento",
        "cli.outbox.col_error": "Último error",
        "cli.outbox.col_delivered": "Entregado",
        "cli.outbox.not_routed": "(aún sin enrutar)",
        "cli.outbox.now": "ahora",
        "cli.outbox.delivered": "Entregados en las últimas 24 horas: {count}",
        "cli.outbox.times": "Las horas están en {timezone}.",
        "cli.schedule.jobs": "Tareas programadas (las ejecuta un solo proceso serve a la vez):",
        "cli.schedule.job": "tarea",
        "cli.schedule.when": "cuándo",
        "cli.schedule.next": "próxima ejecución",
        "cli.schedule.grace": "se recupera dentro de",
        "cli.schedule.runs": "Últimas ejecuciones:",
        "cli.schedule.no_runs": "Aún no hay ejecuciones.",
        "cli.schedule.period": "periodo",
        "cli.schedule.status": "resultado",
        "cli.schedule.finished": "terminó",
        "cli.schedule.detail": "detalle",
        "cli.schedule.status.running": "en curso",
        "cli.schedule.status.done": "hecha",
        "cli.schedule.status.failed": "falló",
        "cli.schedule.status.skipped": "omitida (perdida)",
        # El resumen semanal
        "digest.title": "Resumen semanal · {week}",
        "digest.week": "{start} a {end}",
        "digest.note": (
            "Las cifras del SLA cuentan lo que pasó durante la semana; el embudo cuenta los "
            "leads creados en ella. Comparado con {previous}."
        ),
        "digest.no_leads": "No se creó ningún lead esta semana.",
        "digest.side.marketing": "Marketing",
        "digest.side.sales": "Ventas",
        "digest.scorecard.title": "Cumplimiento del SLA",
        "digest.score.handed_over": "Leads perfilados entregados",
        "digest.score.profiled_share": "Leads captados que llegaron perfilados",
        "digest.score.missing_fields": "Entregas sin un campo obligatorio",
        "digest.score.routing": "Demora de asignación (mediana)",
        "digest.score.response": "Tiempo de respuesta (mediana)",
        "digest.score.in_time": "Primeros contactos dentro del límite",
        "digest.score.attempts": "Intentos por lead aceptado",
        "digest.score.target": "(meta {target})",
        "digest.score.change": "{change} respecto a la semana anterior",
        "digest.points": "{points} pts",
        "digest.col.figure": "Cifra",
        "digest.col.week": "Semana",
        "digest.col.previous": "Semana anterior",
        "digest.col.change": "Cambio",
        "digest.col.target": "Meta",
        "digest.col.met": "Cumplida",
        "digest.col.lead": "Lead",
        "digest.col.stage": "Etapa",
        "digest.col.owner": "Responsable",
        "digest.col.idle_days": "Días hábiles sin actividad",
        "digest.col.last_activity": "Última actividad",
        "digest.funnel.title": "Embudo de los leads creados esta semana",
        "digest.reasons.title": "Por qué salieron leads esta semana",
        "digest.reasons.summary": "{rejected} no encajan, {lost} perdidos. Los más frecuentes:",
        "digest.reasons.none": "Ningún lead se marcó como no encaja ni perdido esta semana.",
        "digest.reasons.by_source": "Por fuente",
        "digest.reasons.by_campaign": "Por campaña",
        "digest.reasons.line": "{value} — {exit}: {reason} ({count})",
        "digest.stalled.title": "Leads estancados",
        "digest.stalled.summary": (
            "{count} leads abiertos sin ninguna actividad desde hace {days} días hábiles o "
            "más; los más antiguos:"
        ),
        "digest.stalled.none": "Ningún lead abierto lleva {days} días hábiles sin actividad.",
        "digest.stalled.line": "{lead} — {stage}, {owner}, {days} días hábiles sin actividad",
        "digest.no_owner": "sin responsable",
        "digest.recognition.title": "Reconocimientos",
        "digest.recognition.best_closer": (
            "Mejor cierre: {seller}, {revenue} ganados en {count} ventas"
        ),
        "digest.recognition.fastest_responder": (
            "Respuesta más rápida: {seller}, una mediana de {duration} en {count} primeros "
            "contactos"
        ),
        "digest.recognition.most_improved": (
            "Mayor mejora: {seller}, {count} leads calificados o ganados ({before} la semana "
            "anterior)"
        ),
        "digest.contests.title": "Veredictos impugnados pendientes de revisión",
        "digest.contests.summary": "{count} abiertos; los más antiguos:",
        "digest.contests.none": "Ningún veredicto impugnado espera revisión.",
        "digest.contests.line": (
            "{lead} — {exit}: {reason}, impugnado por {marketer} el {date} (veredicto de {seller})"
        ),
        "digest.more": "+{count} más",
        "digest.review.next": "Próxima revisión del SLA: {when}",
        "digest.review.none": (
            "No hay reuniones de revisión del SLA programadas (SLA_REVIEW_SCHEDULE)."
        ),
        "digest.times": "Horas en {timezone}; duraciones y días sin actividad en horario hábil.",
        "digest.text": (
            "{title}: {leads} leads, {won} ganados, {revenue} en ingresos; {stalled} leads "
            "estancados."
        ),
        "digest.demo": (
            "El resumen semanal que recibirían los gerentes, de la última semana completa:"
        ),
        "digest.send.chart_title": "Embudo · {week} (en contorno: la semana anterior)",
        "cli.digest.nowhere": (
            "No hay adónde enviar el resumen: define MANAGERS_CHANNEL_ID, MANAGER_USER_IDS o ambos."
        ),
        "cli.digest.already_sent": (
            "El resumen de {week} ya se envió el {at} ({timezone}); usa --force para enviarlo "
            "de nuevo."
        ),
        "cli.digest.not_queued": "No se pudo poner en cola el resumen de {week}: {error}",
        "cli.digest.to_channel": "el canal {channel}",
        "cli.digest.to_person": "un mensaje directo a {user}",
        "cli.digest.posted": "Resumen de {week} publicado en {destination}.",
        "cli.digest.posted_with_chart": (
            "Resumen de {week} publicado en {destination}, con su gráfico del embudo en el hilo "
            "del mensaje."
        ),
        "cli.digest.not_posted": (
            "El resumen de {week} aún no está en {destination} ({error}); queda en la bandeja "
            "de salida (smarketing outbox) y smarketing serve lo entrega."
        ),
        "cli.digest.chart_not_posted": (
            "El gráfico del embudo aún no está en el hilo del resumen en {destination} "
            "({error}); queda en la bandeja de salida (smarketing outbox) y smarketing serve "
            "lo entrega."
        ),
        "cli.digest.no_answer": "Slack aún no responde",
        "cli.digest.outbox_digest": "Resumen semanal {week}",
        "cli.digest.outbox_chart": "Gráfico del resumen {week}",
        "review.span": "desde la última revisión del SLA",
        "review.when": "{day} {date} {time}",
        "review.title.starting": "La revisión del SLA empieza ahora · {when}",
        "review.title.ahead": "Revisión del SLA en {within} · {when}",
        "review.span.reviewed": (
            "Datos desde la última reunión marcada como revisada ({since}) hasta {now}."
        ),
        "review.span.cadence": (
            "Datos desde la reunión anterior ({since}; nadie ha marcado aún una reunión como "
            "revisada) hasta {now}."
        ),
        "review.span.default": (
            "Datos de los últimos {days} días ({since} a {now}): no hay una reunión anterior."
        ),
        "review.scorecard.title": "Cumplimiento del SLA desde la última revisión",
        "review.scorecard.side": "{side}: cumplimiento desde la última revisión",
        "review.score.change": "{change} frente al periodo anterior",
        "review.col.span": "Desde la última revisión",
        "review.col.before": "Periodo anterior",
        "review.alerts.title": "Incumplimientos y escalamientos",
        "review.alerts.none": "El control del SLA no generó ninguna alerta en este periodo.",
        "review.alerts.open": "{count} leads con un incumplimiento aún abierto.",
        "review.alert.first_touch_reminder": "{count} recordatorios de primer contacto",
        "review.alert.first_touch_late": "{count} primer contacto tardío",
        "review.alert.unclaimed_late": "{count} sin aceptar",
        "review.alert.attempts_missing": "{count} con intentos insuficientes",
        "review.alert.reoffer": "{count} ofrecidos de nuevo",
        "review.alert.give_up": "{count} abandonados tras los intentos",
        "review.reasons.title": "Por qué salieron los leads, por fuente",
        "review.reasons.summary": (
            "{rejected} no encajan, {lost} perdidos en este periodo. Los más frecuentes:"
        ),
        "review.reasons.none": "Ningún lead se marcó como no encaja o perdido en este periodo.",
        "review.target.title": "Objetivo propuesto para el próximo periodo",
        "review.target.current": (
            "Ahora: {leads} leads perfilados por periodo ({sales} ventas × {per_sale} leads por "
            "venta)."
        ),
        "review.target.no_goal": (
            "Aún no hay objetivo: define revenue_goal y average_deal_value (smarketing sla set)."
        ),
        "review.target.observed": (
            "Observado en este periodo: {handed} leads entregados, {won} ventas ganadas: 1 venta "
            "cada {per_sale} leads (tasa de cierre {rate})."
        ),
        "review.target.proposed": (
            "Propuesta: {leads} leads perfilados por periodo ({sales} ventas × {per_sale} leads "
            "por venta), {change} frente a ahora."
        ),
        "review.target.no_wins": (
            "No se ganó ninguna venta en este periodo ({handed} leads entregados): no hay tasa "
            "de cierre observada, así que no se propone un nuevo objetivo."
        ),
        "review.target.unusable": (
            "Se ganaron más ventas que leads entregados en este periodo: esa tasa no sirve para "
            "fijar un objetivo."
        ),
        "review.contests.title": "Veredictos impugnados ({count} abiertos)",
        "review.contests.none": "Ningún veredicto impugnado espera revisión.",
        "review.contests.line": (
            "{lead} — {exit}: {reason}; veredicto de {seller}, impugnado por {marketer} el {date}"
        ),
        "review.contests.seller": "Vendedor ({user}):",
        "review.contests.marketer": "Marketing ({user}):",
        "review.contests.no_words": "(sin nota)",
        "review.items.title": "Puntos añadidos ({count})",
        "review.items.none": "Nadie ha añadido un punto todavía.",
        "review.items.line": "{text} — {user}, {date}",
        "review.items.lead": "(lead {id}: {lead})",
        "review.more": "+{count} más",
        "review.button.add": "Añadir punto a la agenda",
        "review.button.mark": "Marcar como revisada",
        "review.footer": (
            "Tras la reunión, un gerente con Marcar como revisada cierra los puntos y los "
            "veredictos impugnados que se trataron. Horas en {timezone}."
        ),
        "review.times": "Horas en {timezone}; duraciones en horario hábil.",
        "review.text": "{title}: {items} puntos en la agenda, {contests} veredictos impugnados.",
        "review.cli.none": (
            "No hay reuniones de revisión del SLA programadas: define SLA_REVIEW_SCHEDULE "
            "(p. ej. {example})."
        ),
        "review.item.empty": (
            "El punto de la agenda está vacío: escribe qué debe tratar la reunión."
        ),
        "review.item.too_long": (
            "El punto de la agenda tiene {length} caracteres; caben como máximo {maximum}."
        ),
        "review.item.no_lead": "No existe el lead {lead} para vincularlo al punto de la agenda.",
        "review.answer.done": (
            "La reunión del {when} quedó marcada como revisada: se cerraron {items} puntos de la "
            "agenda y {contests} veredictos impugnados."
        ),
        "review.answer.already_reviewed": (
            "{user} ya marcó la reunión del {when} como revisada el {at}."
        ),
        "review.answer.not_a_manager": (
            "Solo los gerentes marcan una reunión de revisión del SLA como revisada."
        ),
        "review.answer.not_started": (
            "La reunión del {when} aún no ha empezado: márcala como revisada cuando se celebre."
        ),
        "review.answer.unknown_meeting": (
            "Ese botón es de una reunión que SLA_REVIEW_SCHEDULE no contiene (ya)."
        ),
        "review.answer.no_role": (
            "Solo vendedores, marketing y gerentes añaden puntos a la agenda de la revisión "
            "del SLA."
        ),
        "review.marked": ":white_check_mark: {user} marcó la reunión del {when} como revisada.",
        "review.item.added": (
            "Añadido a la agenda: estará en la de la próxima revisión del SLA, hasta que una "
            "reunión lo trate."
        ),
        "review.item.lead_number": "El id de un lead es un número, como 12.",
        "review.modal.title": "Punto de la agenda",
        "review.modal.intro": (
            "Algo que la próxima revisión del SLA debería tratar: sigue en la agenda hasta que "
            "una reunión marcada como revisada lo trate."
        ),
        "review.modal.text": "¿Qué debería tratar la reunión?",
        "review.modal.lead": "Id del lead",
        "review.modal.lead_hint": "El número del lead al que se refiere este punto (opcional).",
        "review.home.line": (
            "*Revisión del SLA:* añade algo para que la próxima reunión lo trate."
        ),
        "review.outbox.reminder": "Recordatorio de la revisión del SLA {when}",
        "review.outbox.marked": "Revisión del SLA marcada {when}",
        "review.outbox.added": "Punto añadido a la agenda",
        "review.cli.no_schedule": (
            "No hay recordatorio de revisión del SLA que enviar: define SLA_REVIEW_SCHEDULE "
            "(p. ej. {example})."
        ),
        "review.cli.nowhere": (
            "No hay dónde publicar el recordatorio de la revisión del SLA: define "
            "MANAGERS_CHANNEL_ID, MARKETING_CHANNEL_ID o SALES_CHANNEL_ID."
        ),
        "review.cli.already_sent": (
            "El recordatorio de la revisión del SLA del {when} ya se envió el {at} ({timezone}); "
            "se envía una vez por reunión."
        ),
        "review.cli.not_queued": (
            "No se pudo poner en cola el recordatorio de la revisión del SLA del {when}: {error}"
        ),
        "review.cli.posted": (
            "Recordatorio de la revisión del SLA del {when} publicado en el canal {channel}."
        ),
        "review.cli.not_posted": (
            "El recordatorio de la revisión del SLA del {when} aún no está en el canal {channel} "
            "({error}); queda en la cola para serve."
        ),
    },
}


def t(locale: str, key: str, **params: object) -> str:
    """The string for `key` in `locale` (falling back to English), filled with `params`."""
    strings = CATALOG.get(locale) or CATALOG[DEFAULT_LOCALE]
    template = strings.get(key) or CATALOG[DEFAULT_LOCALE][key]
    return template.format(**params) if params else template


def placeholders(template: str) -> set[str]:
    """The `{names}` a template expects."""
    return {name for _, name, _, _ in Formatter().parse(template) if name}


class Translator:
    """`t` bound to one locale, handed to code that renders for one team."""

    def __init__(self, locale: str = DEFAULT_LOCALE):
        self.locale = locale if locale in CATALOG else DEFAULT_LOCALE

    def __call__(self, key: str, **params: object) -> str:
        return t(self.locale, key, **params)

    def stage(self, code: str) -> str:
        return self(f"stage.{code}")

    def exit(self, code: str) -> str:
        return self(f"exit.{code}")

    def reason(self, code: str) -> str:
        return self(f"reason.{code}")
