"""The platforms' daily figures: what a row must be, how a CSV is read, and that a batch is
stored whole or not at all."""

from __future__ import annotations

import codecs
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bot.domain import metrics
from bot.domain.metrics import InvalidMetrics, MetricRow, MetricsFileError
from storage.models import MarketingMetric

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


def row(**overrides) -> dict:
    return {
        "date": "2026-11-20",
        "channel": "paid-search",
        "impressions": 1000,
        "clicks": 50,
        "leads": 5,
    } | overrides


def problems(document) -> list[tuple]:
    with pytest.raises(InvalidMetrics) as refused:
        metrics.read_row(document)
    return [(p.loc, p.kind) for p in refused.value.problems]


# -- one row ---------------------------------------------------------------------------------


def test_names_are_cleaned_as_a_leads_are_and_a_missing_origin_is_none():
    read = metrics.read_row(row(channel="  paid \u200b search\t", campaign=" black-friday "))
    assert (read.channel, read.source, read.campaign) == ("paid search", None, "black-friday")
    assert read.key == (date(2026, 11, 20), "paid search", "", "black-friday")
    assert read.record()["source"] == ""


def test_case_is_kept_as_leads_keep_it():
    assert metrics.read_row(row(channel="Paid-Search", source="Google")).key[1:3] == (
        "Paid-Search",
        "Google",
    )


def test_names_are_cut_to_200_characters():
    read = metrics.read_row(row(campaign="c" * 300))
    assert len(read.campaign) == 200 and read.campaign.endswith("…")


def test_numbers_are_read_from_text_and_campaign_ids_from_numbers():
    read = metrics.read_row(row(impressions="12.000", clicks=" 1,250 ", leads="7", campaign=120045))
    assert (read.impressions, read.clicks, read.leads, read.campaign) == (12000, 1250, 7, "120045")


def test_more_clicks_than_impressions_is_kept_as_reported():
    read = metrics.read_row(row(impressions=10, clicks=40, leads=0))
    assert (read.impressions, read.clicks, read.leads) == (10, 40, 0)


@pytest.mark.parametrize(
    ("field", "value", "kind"),
    [
        ("impressions", -1, "greater_than_equal"),
        ("clicks", "-3", "greater_than_equal"),
        ("leads", 2.5, "int_from_float"),
        ("impressions", "12.5", "int_parsing"),
        ("impressions", True, "int_type"),
        ("clicks", None, "int_type"),
        ("impressions", 10**13, "less_than_equal"),
        ("date", "20/11/2026", "date_format"),
        ("date", "2026-02-30", "date_format"),
        ("date", "2026-11-20T10:00:00", "date_format"),
        ("date", 1763596800, "date_format"),
        ("channel", "   ", "blank"),
        ("channel", "", "string_too_short"),
        ("source", {"a": 1}, "string_type"),
    ],
)
def test_a_bad_value_is_refused_naming_its_field(field, value, kind):
    assert problems(row(**{field: value})) == [((field,), kind)]


def test_every_missing_field_is_named():
    assert problems({"source": "google"}) == [
        ((name,), "missing") for name in ("date", "channel", "impressions", "clicks", "leads")
    ]


# -- a batch ---------------------------------------------------------------------------------


def test_a_batch_names_the_bad_row_by_its_position():
    with pytest.raises(InvalidMetrics) as refused:
        metrics.read_batch({"rows": [row(), row(), row(), row(impressions=-5)]})
    assert [p.loc for p in refused.value.problems] == [("rows", 3, "impressions")]


def test_a_batch_of_more_than_500_rows_is_refused():
    rows = [row(date=(date(2026, 1, 1) + timedelta(days=n)).isoformat()) for n in range(501)]
    with pytest.raises(InvalidMetrics) as refused:
        metrics.read_batch({"rows": rows})
    assert [(p.loc, p.kind) for p in refused.value.problems] == [(("rows",), "too_long")]
    assert len(metrics.read_batch({"rows": rows[:500]})) == 500


def test_the_same_key_twice_in_a_batch_keeps_the_later_row():
    read = metrics.read_batch(
        {
            "rows": [
                row(impressions=1),
                row(channel="email", impressions=2),
                row(channel=" paid-search ", impressions=3),
            ]
        }
    )
    assert [(r.channel, r.impressions) for r in read] == [("email", 2), ("paid-search", 3)]


# -- storing ---------------------------------------------------------------------------------


def test_a_batch_is_stored_and_a_resend_replaces_it(sessions):
    first = metrics.read_batch({"rows": [row(), row(channel="email")]})
    assert metrics.store_figures(sessions, rows=first, now=NOW) == 2
    again = metrics.read_batch({"rows": [row(impressions=1500)]})
    assert metrics.store_figures(sessions, rows=again, now=NOW) == 1
    with sessions() as session:
        stored = {m.channel: m.impressions for m in session.exec(select(MarketingMetric))}
    assert stored == {"paid-search": 1500, "email": 1000}


def test_a_batch_is_stored_whole_or_not_at_all(sessions):
    good = metrics.read_row(row())
    # Past validation only by being built without it: the database refuses it.
    broken = MetricRow.model_construct(
        **(metrics.read_row(row(channel="x")).__dict__ | {"leads": -1})
    )
    with pytest.raises(IntegrityError):
        metrics.store_figures(sessions, rows=[good, broken], now=NOW)
    with sessions() as session:
        assert session.exec(select(MarketingMetric)).all() == []


# -- CSV files -------------------------------------------------------------------------------


def test_a_csv_with_the_english_headers_is_read():
    read = metrics.read_metrics_csv(
        b"date,channel,source,campaign,impressions,clicks,leads\n"
        b"2026-11-20,paid-search,google,bf,1000,50,5\n"
        b"\n"
        b"2026-11-20,email,,,200,20,2\n"
    )
    assert read.problems == [] and read.delimiter == "," and read.read == 2
    assert [r.key for r in read.rows] == [
        (date(2026, 11, 20), "paid-search", "google", "bf"),
        (date(2026, 11, 20), "email", "", ""),
    ]


def test_spanish_headers_with_a_bom_and_semicolons_in_any_order_are_read():
    text = "Clics;Fecha;Canal;Campaña;Impresiones;Leads;Costo\n11;2026-11-20;email;bf;1.200;3;9,5\n"
    read = metrics.read_metrics_csv(codecs.BOM_UTF8 + text.encode())
    assert read.problems == [] and read.delimiter == ";"
    (only,) = read.rows
    assert (only.channel, only.source, only.campaign) == ("email", None, "bf")
    assert (only.impressions, only.clicks, only.leads) == (1200, 11, 3)


def test_every_bad_cell_is_named_by_its_line_and_the_files_header():
    read = metrics.read_metrics_csv(
        b"fecha,canal,impresiones,clics,leads\n"
        b"2026-11-20,email,10,1,0\n"
        b'2026-11-21,"paid\nsearch",10,1,0\n'
        b"21/11/2026,email,-4,1,\n"
    )
    found = [(p.line, p.column, p.problem.kind) for p in read.problems]
    assert found == [
        (5, "fecha", "date_format"),
        (5, "impresiones", "greater_than_equal"),
        (5, "leads", "missing"),
    ]


def test_a_repeated_key_in_a_file_keeps_the_later_row():
    read = metrics.read_metrics_csv(
        b"date,channel,impressions,clicks,leads\n2026-11-20,email,10,1,0\n2026-11-20,email,30,3,0\n"
    )
    assert [r.impressions for r in read.rows] == [30] and read.repeated == 1


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "no_header"),
        (b"\n  \n", "no_header"),
        (b"date,channel,impressions\n", "missing_columns"),
        (
            "fecha,canal,impresiones,clics,leads\n2026-11-20,señal,1,1,1\n".encode("cp1252"),
            "not_utf8",
        ),
        # Past the csv module's limit on one cell.
        (b"date,channel,impressions,clicks,leads\n2026-11-20," + b"x" * 200_000, "unreadable"),
    ],
)
def test_a_file_that_is_not_figures_is_refused_with_its_reason(content, reason):
    with pytest.raises(MetricsFileError) as refused:
        metrics.read_metrics_csv(content)
    assert refused.value.reason == reason


def test_a_missing_column_is_named():
    with pytest.raises(MetricsFileError) as refused:
        metrics.read_metrics_csv(b"fecha;canal;impresiones\n")
    assert refused.value.details == {"columns": ["clicks", "leads"]}
