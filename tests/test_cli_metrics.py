"""`smarketing import-metrics FILE`: a figures CSV stored whole, or refused whole with every
problem named by its line."""

from __future__ import annotations

import codecs
from datetime import date

import pytest
from sqlmodel import col, select

from storage.models import MarketingMetric

pytestmark = pytest.mark.any_backend

HEADER = "date,channel,source,campaign,impressions,clicks,leads"


def write(path, lines: list[str], *, bom: bool = False):
    content = ("\n".join(lines) + "\n").encode()
    path.write_bytes(codecs.BOM_UTF8 + content if bom else content)
    return path


def stored(sessions) -> list[tuple]:
    with sessions() as session:
        statement = select(MarketingMetric).order_by(
            col(MarketingMetric.date), col(MarketingMetric.channel)
        )
        return [
            (m.date.isoformat(), m.channel, m.source, m.campaign, m.impressions, m.clicks, m.leads)
            for m in session.exec(statement)
        ]


def test_a_good_file_is_stored_and_said_so(smarketing, sessions, tmp_path):
    figures = write(
        tmp_path / "figures.csv",
        [
            HEADER,
            "2026-11-20,paid-search,google,black-friday,12000,340,18",
            "2026-11-20, email ,,,500,40,6",
            "",
            "2026-11-21,paid-social,facebook,,800,900,2",
        ],
    )
    result = smarketing("import-metrics", str(figures))
    assert result.code == 0, result.err
    assert result.out.strip() == (
        f"Stored the figures of 3 row(s) from {figures}; figures already stored for the same"
        " day, channel, source and campaign were replaced."
    )
    assert stored(sessions) == [
        ("2026-11-20", "email", "", "", 500, 40, 6),
        ("2026-11-20", "paid-search", "google", "black-friday", 12000, 340, 18),
        ("2026-11-21", "paid-social", "facebook", "", 800, 900, 2),
    ]


def test_importing_a_corrected_file_replaces_the_figures(smarketing, sessions, tmp_path):
    first = write(tmp_path / "a.csv", [HEADER, "2026-11-20,email,,,500,40,6"])
    again = write(
        tmp_path / "b.csv",
        [HEADER, "2026-11-20,email,,,550,41,7", "2026-11-20,email,,,560,42,8"],
    )
    assert smarketing("import-metrics", str(first)).code == 0
    result = smarketing("import-metrics", str(again))
    assert result.code == 0, result.err
    assert "Stored the figures of 1 row(s)" in result.out
    assert "1 row(s) repeated a day, channel, source and campaign" in result.out
    assert stored(sessions) == [("2026-11-20", "email", "", "", 560, 42, 8)]


def test_spanish_headers_with_a_bom_and_semicolons_are_read(
    smarketing, sessions, tmp_path, monkeypatch
):
    monkeypatch.setenv("BOT_LOCALE", "es")
    figures = write(
        tmp_path / "cifras.csv",
        [
            "Fecha;Canal;Fuente;Campaña;Impresiones;Clics;Leads",
            "2026-11-20;búsqueda pagada;google;buen fin;1.200;35;4",
            "2026-11-20;correo;;;300;12;1",
        ],
        bom=True,
    )
    result = smarketing("import-metrics", str(figures))
    assert result.code == 0, result.err
    assert result.out.startswith(f"Se guardaron las cifras de 2 fila(s) de {figures};")
    assert stored(sessions) == [
        ("2026-11-20", "búsqueda pagada", "google", "buen fin", 1200, 35, 4),
        ("2026-11-20", "correo", "", "", 300, 12, 1),
    ]


def test_a_bad_row_refuses_the_whole_file_naming_each_line_and_column(
    smarketing, sessions, tmp_path
):
    earlier = write(tmp_path / "earlier.csv", [HEADER, "2026-11-19,email,,,1,1,1"])
    assert smarketing("import-metrics", str(earlier)).code == 0
    figures = write(
        tmp_path / "figures.csv",
        [
            HEADER,
            "2026-11-20,paid-search,google,bf,12000,340,18",
            "2026-11-20,email,,,-4,40,6",
            "20/11/2026,sms,,,10,1.5,",
            "2026-11-21,email,,,7,7,7",
        ],
    )
    result = smarketing("import-metrics", str(figures))
    assert result.code == 1
    assert result.out == ""
    assert result.err.strip().splitlines() == [
        "line 3: impressions: cannot be negative (-4)",
        "line 4: date: should be a day written YYYY-MM-DD (e.g. 2026-11-20), not '20/11/2026'",
        "line 4: clicks: should be a whole number, not '1.5'",
        "line 4: leads: a value is required",
        f"Nothing was stored: 4 problem(s) in {figures}. Fix them and import the file again.",
    ]
    # Not even the good rows: the figures stored before are all there is.
    assert stored(sessions) == [("2026-11-19", "email", "", "", 1, 1, 1)]


def test_problems_are_told_in_the_teams_language_with_the_files_own_headers(
    smarketing, sessions, tmp_path, monkeypatch
):
    monkeypatch.setenv("BOT_LOCALE", "es")
    figures = write(
        tmp_path / "cifras.csv",
        ["fecha;canal;impresiones;clics;leads", "2026-11-20;  ;diez;1;1"],
    )
    result = smarketing("import-metrics", str(figures))
    assert result.code == 1
    assert result.err.strip().splitlines()[:2] == [
        "línea 2: canal: falta el valor",
        "línea 2: impresiones: debe ser un número entero, no 'diez'",
    ]
    assert stored(sessions) == []


def test_a_file_without_the_needed_columns_is_refused_naming_them(smarketing, sessions, tmp_path):
    figures = write(tmp_path / "figures.csv", ["date,channel,impressions", "2026-11-20,email,5"])
    result = smarketing("import-metrics", str(figures))
    assert result.code == 1
    assert result.err.strip().startswith(f"The header of {figures} has no clicks, leads column.")
    assert stored(sessions) == []


def test_a_file_that_is_not_utf8_is_refused(smarketing, sessions, tmp_path):
    figures = tmp_path / "figures.csv"
    figures.write_bytes(f"{HEADER}\n2026-11-20,señal,,,1,1,1\n".encode("cp1252"))
    result = smarketing("import-metrics", str(figures))
    assert result.code == 1
    assert "is not UTF-8 text" in result.err
    assert stored(sessions) == []


def test_a_missing_file_is_a_usage_error(smarketing, tmp_path):
    result = smarketing("import-metrics", str(tmp_path / "nowhere.csv"))
    assert result.code == 2
    assert result.err.strip() == f"No such file: {tmp_path / 'nowhere.csv'}"


def test_dates_are_kept_as_the_calendar_days_given(smarketing, sessions, tmp_path):
    figures = write(tmp_path / "f.csv", [HEADER, "2026-12-31,email,,,1,0,0"])
    assert smarketing("import-metrics", str(figures)).code == 0
    with sessions() as session:
        (row,) = session.exec(select(MarketingMetric))
    assert row.date == date(2026, 12, 31)
