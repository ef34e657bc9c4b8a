"""A lead with every field its card shows, as marketing hands it over (already in the form
the intake stores), and the card's fields for it in English: shared by the card builder's
tests and the card's end-to-end tests."""

from __future__ import annotations

FULL_LEAD = {
    "name": "Lucía García",
    "company": "Grupo Andino",
    "job_title": "Operations manager",
    "email": "lucia.garcia@andino.example",
    "phone": "+525512345678",
    "score": 87,
    "source": "google",
    "campaign": "black-friday",
    "zone": "Center",
    "service": "CRM setup",
    "age_range": "35-44",
    "summary": "Runs a 40-person logistics team.",
    "history": "Downloaded two ebooks.",
    "approach": "Open with the logistics case study.",
    "profile_url": "https://crm.example/contacts/10482",
    "estimated_value": 6667,
    "custom_fields": {"employees": "11-50"},
}

FULL_CARD_FIELDS = [
    "*Company*\nGrupo Andino",
    "*Job title*\nOperations manager",
    "*Email*\nlucia.garcia@andino.example",
    "*Phone*\n+525512345678",
    "*Score*\n87",
    "*Source · campaign*\ngoogle · black-friday",
    "*Zone*\nCenter",
    "*Service*\nCRM setup",
    "*Age range*\n35-44",
    "*Estimated value*\n6,667",
]
