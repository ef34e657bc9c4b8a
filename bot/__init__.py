"""Smarketing Bot: the marketing-sales agreement, kept in chat."""
