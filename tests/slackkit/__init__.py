"""An offline Slack for tests: a fake Web API over loopback HTTP, Socket Mode, Block Kit
limits, realistic payloads and Slack's request signing. See tests/README.md."""
