"""CSV exports read as generic leads: encodings, delimiters, headers, platforms, stages, dates."""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError
from shared_files import SAMPLES

from bot.domain.platforms import csv_export
from bot.domain.platforms.csv_export import (
    HEADER_ALIASES,
    Export,
    ExportError,
    ExportRow,
    parse_date,
    parse_number,
    read_export,
)
from handlers.intake.schemas import EXAMPLE, LeadIn

needs_samples = pytest.mark.skipif(
    not SAMPLES.is_dir(), reason=f"the shared sample exports are not here ({SAMPLES})"
)
UTC = ZoneInfo("UTC")
HELPER_COLUMNS = {"first_name", "last_name", "mobile", "city", "opportunity"}


def write(
    tmp_path: Path,
    text: str,
    *,
    encoding: str = "utf-8",
    bom: bytes = b"",
    name: str = "export.csv",
) -> Path:
    path = tmp_path / name
    path.write_bytes(bom + text.encode(encoding))
    return path


def read_rows(source: Path | bytes, **options) -> tuple[Export, list[ExportRow]]:
    export = read_export(source, **options)
    return export, list(export.rows)


def valid(lead: dict) -> LeadIn:
    """The lead as the intake sees it; fails the test if it is not a storable lead."""
    model = LeadIn.model_validate(lead)
    assert model.contact_problems() == []
    return model


def only_lead(path: Path, **options) -> dict:
    _, rows = read_rows(path, **options)
    assert len(rows) == 1
    return rows[0].lead


# -- the vendors' sample exports -----------------------------------------------------------


@needs_samples
def test_hubspot_export_is_read_field_by_field():
    export, rows = read_rows(SAMPLES / "hubspot-export.csv")

    assert (export.platform, export.encoding, export.delimiter) == ("hubspot", "utf-8", ",")
    assert export.day_first is False  # English labels: month-first
    assert export.columns == {
        "Record ID": "external_id",
        "First Name": "name",
        "Last Name": "name",
        "Email": "email",
        "Phone Number": "phone",
        "Company Name": "company",
        "Job Title": "job_title",
        "Lifecycle Stage": "stage",
        "Lead Status": "custom_fields.Lead Status",
        "Contact owner": "custom_fields.Contact owner",
        "Create Date": "created_at",
        "Original Source": "channel",
    }
    assert [row.line for row in rows] == [2, 3]
    assert rows[0].lead == {
        "external_id": "1234503",
        "name": "Elena Torres",
        "email": "elena.torres@example.mx",
        "phone": "+52 55 5555 0103",
        "company": "Torres Retail",
        "job_title": "Gerente General",
        "stage": "profiled",
        "created_at": "2026-11-10T09:12:00",
        "channel": "paid-search",
        "custom_fields": {"Lifecycle Stage": "Marketing Qualified Lead", "Lead Status": "New"},
    }
    assert rows[1].lead == {
        "external_id": "1234504",
        "name": "Fernando Gil",
        "email": "fernando.gil@example.mx",
        "phone": "+52 55 5555 0104",
        "company": "Gil y Asociados",
        "job_title": "Socio",
        "stage": "lead",
        "created_at": "2026-11-11T16:40:00",
        "channel": "organic-search",
        "custom_fields": {"Lifecycle Stage": "Lead", "Lead Status": "New"},
    }
    for row in rows:
        valid(row.lead)


@needs_samples
def test_rdstation_export_in_utf16_with_tabs_is_read_field_by_field():
    export, rows = read_rows(SAMPLES / "rdstation-export.tsv")

    assert (export.platform, export.encoding, export.delimiter) == ("rdstation", "utf-16-le", "\t")
    assert export.day_first is True
    assert export.columns == {
        "Email": "email",
        "Nome": "name",
        "Empresa": "company",
        "Cargo": "job_title",
        "Telefone": "phone",
        "Celular": "phone",
        "Cidade": "custom_fields.Cidade",  # the file has a state column for the zone
        "Estado": "zone",
        "Estágio no funil": "stage",
        "Origem da primeira conversão": "source",
        "Tags": "custom_fields.Tags",
    }
    assert [row.line for row in rows] == [2, 3]
    assert rows[0].lead == {
        "email": "gabriela.costa@example.com.br",
        "name": "Gabriela Costa",
        "company": "Costa Alimentos",
        "job_title": "CEO",
        "phone": "11 3333-0001",
        "zone": "SP",
        "stage": "profiled",
        "channel": "Busca Paga",
        "source": "Google",
        "custom_fields": {
            "Celular": "11 97777-0001",  # the phone column had a number: the mobile is kept
            "Cidade": "Campinas",
            "Estágio no funil": "Lead Qualificado",
            "Tags": "alimentos",
        },
    }
    assert rows[1].lead == {
        "email": "henrique.alves@example.com.br",
        "name": "Henrique Alves",
        "company": "Alves Tech",
        "job_title": "CTO",
        "phone": "21 96666-0002",  # no landline: the mobile is the phone
        "zone": "RJ",
        "stage": "lead",
        "channel": "Redes Sociais",
        "source": "Facebook",
        "custom_fields": {"Cidade": "Rio de Janeiro", "Estágio no funil": "Lead"},
    }
    for row in rows:
        valid(row.lead)


# -- encodings ---------------------------------------------------------------------------------

ACCENTED = (
    "Nombre,Correo,Empresa,Ciudad,Monto\nJosé Núñez,jose@núñez.example,Señor Café,Bogotá,€1.500\n"
)


@pytest.mark.parametrize(
    ("codec", "bom", "reported"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", codecs.BOM_UTF8, "utf-8-sig"),
        ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16-le"),
        ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16-be"),
        ("utf-16-le", b"", "utf-16-le"),
        ("utf-16-be", b"", "utf-16-be"),
        ("cp1252", b"", "cp1252"),
    ],
)
def test_encodings_are_sniffed_and_accents_survive(tmp_path, codec, bom, reported):
    export, rows = read_rows(write(tmp_path, ACCENTED, encoding=codec, bom=bom))

    assert export.encoding == reported
    assert list(export.columns) == ["Nombre", "Correo", "Empresa", "Ciudad", "Monto"]
    assert rows[0].lead == {
        "name": "José Núñez",
        "email": "jose@núñez.example",
        "company": "Señor Café",
        "zone": "Bogotá",  # no state column: the city is the zone
        "estimated_value": 1500,
        "stage": "profiled",
    }
    valid(rows[0].lead)


def test_an_accent_far_into_the_file_still_decides_the_encoding(tmp_path):
    ascii_rows = "".join(f"Ana {n},ana{n}@example.com\n" for n in range(60_000))  # > 1 MiB
    path = write(
        tmp_path, "name,email\n" + ascii_rows + "José,jose@example.com\n", encoding="cp1252"
    )

    export, rows = read_rows(path)

    assert export.encoding == "cp1252"
    assert rows[-1] == ExportRow(
        60_002, {"name": "José", "email": "jose@example.com", "stage": "profiled"}
    )


def test_bytes_neither_utf8_nor_cp1252_are_read_as_latin1(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(b"name,email\nA\x81o,a@example.com\n")

    export, rows = read_rows(path)

    assert export.encoding == "latin-1"
    assert rows[0].lead["name"] == "A\x81o"


def test_the_export_may_be_given_as_bytes(tmp_path):
    data = ACCENTED.encode("utf-16-le")

    export, rows = read_rows(codecs.BOM_UTF16_LE + data)

    assert (export.encoding, export.delimiter) == ("utf-16-le", ",")
    assert rows[0].lead["name"] == "José Núñez"


# -- delimiters and quoting ------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_the_delimiter_is_sniffed_from_the_header(tmp_path, delimiter):
    path = tmp_path / "export.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, delimiter=delimiter)
        writer.writerow(["name", "email", "company"])
        writer.writerow(["Ana Ruiz", "ana@example.com", "Ruiz, Pérez;\tAsociados | SA"])

    export, rows = read_rows(path)

    assert export.delimiter == delimiter
    assert rows[0].lead["company"] == "Ruiz, Pérez;\tAsociados | SA"


def test_an_excel_sep_line_names_the_delimiter(tmp_path):
    export, rows = read_rows(write(tmp_path, "sep=;\nname;email\nAna,Ruiz;ana@example.com\n"))

    assert export.delimiter == ";"
    assert rows == [
        ExportRow(3, {"name": "Ana,Ruiz", "email": "ana@example.com", "stage": "profiled"})
    ]


def test_quoted_cells_keep_newlines_delimiters_and_quotes_and_lines_stay_right(tmp_path):
    text = (
        "name,email,summary,company\n"
        '"Ana ""La Jefa"" Ruiz",ana@example.com,"Runs logistics,\n'
        "40 people; evaluating CRMs\n"
        'this quarter","Ruiz, S.A."\n'
        "Beto Gil,beto@example.com,short,Gil\n"
    )

    _, rows = read_rows(write(tmp_path, text))

    assert [row.line for row in rows] == [2, 5]
    assert rows[0].lead == {
        "name": 'Ana "La Jefa" Ruiz',
        "email": "ana@example.com",
        "summary": "Runs logistics,\n40 people; evaluating CRMs\nthis quarter",
        "company": "Ruiz, S.A.",
        "stage": "profiled",
    }
    for row in rows:
        valid(row.lead)


def test_windows_line_endings_count_one_line_each(tmp_path):
    text = (
        'name,email,summary\r\nAna,ana@example.com,"one\r\ntwo"\r\n\r\nBeto,beto@example.com,x\r\n'
    )

    _, rows = read_rows(write(tmp_path, text))

    assert [row.line for row in rows] == [2, 5]
    assert rows[0].lead["summary"] == "one\r\ntwo"  # raw: the intake's cleaning makes it "\n"
    stored = valid(rows[0].lead).to_input(platform="api", timezone=UTC, phone_region="MX")
    assert stored.summary == "one\ntwo"


# -- header aliases --------------------------------------------------------------------------


def test_a_spanish_semicolon_export_is_read_field_by_field(tmp_path):
    text = (
        "Nombre;Apellido;Correo;Teléfono;Empresa;Cargo;Etapa;Zona;Servicio;Rango de edad;"
        "Fuente;Campaña;Canal;Fecha de creación;Presupuesto\n"
        "Lucía;García;lucia@andino.example;+52 55 1234 5678;Grupo Andino;Gerente;"
        "Lead calificado para marketing;Centro;CRM;35-44;google;buen-fin;paid-search;"
        "10/11/2026 09:12;$ 50,000\n"
        "Mario;Pérez;;55 8765 4321;;;Suscriptor;Norte;;;;;;03/02/2026;\n"
    )

    export, rows = read_rows(write(tmp_path, text, encoding="cp1252"))

    assert (export.platform, export.encoding, export.delimiter) == ("api", "cp1252", ";")
    assert export.day_first is True
    assert export.columns == {
        "Nombre": "name",
        "Apellido": "name",
        "Correo": "email",
        "Teléfono": "phone",
        "Empresa": "company",
        "Cargo": "job_title",
        "Etapa": "stage",
        "Zona": "zone",
        "Servicio": "service",
        "Rango de edad": "age_range",
        "Fuente": "source",
        "Campaña": "campaign",
        "Canal": "channel",
        "Fecha de creación": "created_at",
        "Presupuesto": "custom_fields.Presupuesto",
    }
    assert rows[0] == ExportRow(
        2,
        {
            "name": "Lucía García",
            "email": "lucia@andino.example",
            "phone": "+52 55 1234 5678",
            "company": "Grupo Andino",
            "job_title": "Gerente",
            "stage": "profiled",
            "zone": "Centro",
            "service": "CRM",
            "age_range": "35-44",
            "source": "google",
            "campaign": "buen-fin",
            "channel": "paid-search",
            "created_at": "2026-11-10T09:12:00",
            "custom_fields": {"Etapa": "Lead calificado para marketing", "Presupuesto": "$ 50,000"},
        },
    )
    assert rows[1] == ExportRow(
        3,
        {
            "name": "Mario Pérez",
            "phone": "55 8765 4321",
            "stage": "lead",
            "zone": "Norte",
            "created_at": "2026-02-03T00:00:00",
            "custom_fields": {"Etapa": "Suscriptor"},
        },
    )
    for row in rows:
        valid(row.lead)


def test_the_plain_template_maps_every_generic_field_to_itself(tmp_path):
    path = tmp_path / "template.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(EXAMPLE)
        writer.writerow(
            json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else value
            for value in EXAMPLE.values()
        )

    export, rows = read_rows(path)

    assert export.platform == "api"
    assert export.columns == {field: field for field in EXAMPLE}
    assert rows == [ExportRow(2, EXAMPLE)]
    valid(rows[0].lead)


def test_headers_match_whatever_their_case_accents_and_punctuation(tmp_path):
    header = "  E-MAIL ,NOME,estagio NO funil,Job-Title,state / region"
    text = f"{header}\na@example.com,Ana,Cliente,CEO,SP\n"

    export, rows = read_rows(write(tmp_path, text))

    assert list(export.columns.values()) == ["email", "name", "stage", "job_title", "zone"]
    assert rows[0].lead["stage"] == "profiled"


def test_unknown_columns_go_to_custom_fields_and_empty_cells_are_left_out(tmp_path):
    text = (
        "Record ID,First Name,Email,Industry,Number of Employees,,Email\n"
        "101,Ana,ana@example.com,Retail,,note,ana@home.example,extra cell\n"
        "102,Beto,beto@example.com,,11-50,,,\n"
    )

    export, rows = read_rows(write(tmp_path, text))

    assert export.columns == {
        "Record ID": "external_id",
        "First Name": "name",
        "Email": "email",
        "Industry": "custom_fields.Industry",
        "Number of Employees": "custom_fields.Number of Employees",
        "column 6": "custom_fields.column 6",
        "Email (2)": "custom_fields.Email (2)",
    }
    assert rows[0].lead["custom_fields"] == {
        "Industry": "Retail",
        "column 6": "note",
        "Email (2)": "ana@home.example",
        "column 8": "extra cell",
    }
    assert rows[1].lead["custom_fields"] == {"Number of Employees": "11-50"}
    for row in rows:
        valid(row.lead)


def test_first_and_last_names_are_joined_unless_a_full_name_is_given(tmp_path):
    text = (
        "Full Name,First Name,Last Name,Email\n"
        "Ana María Ruiz,Ana,Ruiz,ana@example.com\n"
        ",Beto,,beto@example.com\n"
        ",,Gil,gil@example.com\n"
    )

    _, rows = read_rows(write(tmp_path, text))

    assert [row.lead["name"] for row in rows] == ["Ana María Ruiz", "Beto", "Gil"]
    assert rows[0].lead["custom_fields"] == {"First Name": "Ana", "Last Name": "Ruiz"}


def test_a_city_is_the_zone_only_when_the_file_has_no_state(tmp_path):
    state = "Name,Email,City,State/Region\nAna,a@example.com,Guadalajara,Jalisco\n"
    with_state = read_export(write(tmp_path, state, name="state.csv"))
    city = "Name,Email,City\nAna,a@example.com,Guadalajara\n"
    only_city = read_export(write(tmp_path, city, name="city.csv"))

    assert next(with_state.rows).lead["zone"] == "Jalisco"
    assert only_city.columns["City"] == "zone"
    assert next(only_city.rows).lead["zone"] == "Guadalajara"


def test_no_label_in_the_alias_table_means_two_fields():
    for target, by_language in HEADER_ALIASES.items():
        assert target in csv_export.GENERIC_LEAD_FIELDS or target in HELPER_COLUMNS
        assert set(by_language) <= {"en", "es", "pt", "*"}


def test_a_label_given_to_two_fields_is_refused_when_the_table_is_built(monkeypatch):
    monkeypatch.setitem(HEADER_ALIASES, "zone", {"en": ("Email",)})

    with pytest.raises(ValueError, match="means both"):
        csv_export._alias_index()


# -- platforms and identity --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "platform", "external_id"),
    [
        ("Record ID,First Name,Email", "hubspot", "Record ID"),
        ("hs_object_id,email,firstname", "hubspot", "hs_object_id"),
        ("ID de registro,Nombre,Apellidos,Correo", "hubspot", "ID de registro"),
        ("Email,First Name,Lifecycle Stage,Contact owner", "hubspot", None),
        ("Record ID,UUID,Email", "hubspot", "Record ID"),
        ("ID,UUID,Email,Nome", "rdstation", "UUID"),
        ("Email,Nome,Estágio no funil", "rdstation", None),
        ("external_id,ID,name,email", "api", "external_id"),
        ("ID,Nombre,Correo,Etapa", "api", "ID"),
        ("Name,Email,Phone", "api", None),
        ("Foo,Bar", "api", None),
    ],
)
def test_the_platform_is_told_by_the_headers(tmp_path, header, platform, external_id):
    export = read_export(write(tmp_path, header + "\n"))

    assert export.platform == platform
    ids = [column for column, field in export.columns.items() if field == "external_id"]
    assert ids == ([external_id] if external_id else [])


def test_a_file_changed_between_sniffing_and_reading_is_refused(tmp_path):
    path = write(tmp_path, "name,email\nAna,a@example.com\n")
    export = read_export(path)
    write(tmp_path, "Nombre;Correo\nAna;a@example.com\n")

    with pytest.raises(ExportError, match="changed"):
        next(export.rows)


def test_an_unclosed_quote_that_swallows_the_file_is_reported_with_its_line(tmp_path):
    text = 'name,email,summary\nAna,a@example.com,ok\nBeto,b@example.com,"never closed\n'
    export = read_export(write(tmp_path, text + "x" * 200_000))

    assert next(export.rows).line == 2
    with pytest.raises(ExportError, match="Line 3"):
        next(export.rows)


def test_a_header_only_file_has_no_rows(tmp_path):
    assert list(read_export(write(tmp_path, "name,email\n")).rows) == []


@pytest.mark.parametrize("text", ["", "\n\n", "  \n"])
def test_a_file_without_a_header_is_refused(tmp_path, text):
    with pytest.raises(ExportError):
        read_export(write(tmp_path, text))


# -- rows ------------------------------------------------------------------------------------


def test_empty_rows_are_skipped_and_line_numbers_stay_the_files(tmp_path):
    text = "\nname,email\n\nAna,ana@example.com\n,\n   ,  \n\nBeto,beto@example.com"

    _, rows = read_rows(write(tmp_path, text))

    assert [(row.line, row.lead["name"]) for row in rows] == [(4, "Ana"), (8, "Beto")]


def test_rows_that_cannot_be_leads_are_still_yielded_for_the_caller_to_report(tmp_path):
    text = "name,email,phone\n,nobody@example.com,\nAna,,\nBeto,not an email,\n"

    _, rows = read_rows(write(tmp_path, text))

    assert [row.line for row in rows] == [2, 3, 4]
    with pytest.raises(ValidationError) as missing_name:
        LeadIn.model_validate(rows[0].lead)
    assert missing_name.value.errors()[0]["loc"] == ("name",)
    assert LeadIn.model_validate(rows[1].lead).contact_problems()[0][0] == "email"
    with pytest.raises(ValidationError) as bad_email:
        LeadIn.model_validate(rows[2].lead)
    assert bad_email.value.errors()[0]["loc"] == ("email",)


def test_a_mobile_is_the_phone_only_when_the_phone_cell_is_empty(tmp_path):
    text = (
        "Name,Email,Phone Number,Mobile Phone Number\n"
        "Ana,a@example.com,+52 55 1111 1111,+52 55 2222 2222\n"
        "Beto,b@example.com,,+52 55 3333 3333\n"
    )

    _, rows = read_rows(write(tmp_path, text))

    assert rows[0].lead["phone"] == "+52 55 1111 1111"
    assert rows[0].lead["custom_fields"] == {"Mobile Phone Number": "+52 55 2222 2222"}
    assert rows[1].lead["phone"] == "+52 55 3333 3333"
    assert "custom_fields" not in rows[1].lead


# -- stages ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "label", "stage"),
    [
        ("Lifecycle Stage", "Marketing Qualified Lead", "profiled"),
        ("Lifecycle Stage", "marketingqualifiedlead", "profiled"),
        ("Lifecycle Stage", "Sales Qualified Lead", "profiled"),
        ("Lifecycle Stage", "salesqualifiedlead", "profiled"),
        ("Lifecycle Stage", "Opportunity", "profiled"),
        ("Lifecycle Stage", "Customer", "profiled"),
        ("Lifecycle Stage", "Subscriber", "lead"),
        ("Lifecycle Stage", "Lead", "lead"),
        ("Lifecycle Stage", "other", "lead"),
        ("Lifecycle Stage", "Trial user", "lead"),  # a custom stage: never handed over on a guess
        ("Estágio no funil", "Lead Qualificado", "profiled"),
        ("Estágio no funil", "Qualified Lead", "profiled"),
        ("Estágio no funil", "Cliente", "profiled"),
        ("Estágio no funil", "Lead", "lead"),
        ("Fase do ciclo de vida", "Lead qualificado para vendas", "profiled"),
        ("Fase do ciclo de vida", "Assinante", "lead"),
        ("Etapa", "Lead calificado para marketing", "profiled"),
        ("Etapa", "Oportunidad", "profiled"),
        ("Etapa", "Cliente", "profiled"),
        ("Etapa", "Suscriptor", "lead"),
        ("Etapa del ciclo de vida", "Otro", "lead"),
    ],
)
def test_stage_labels_in_three_languages(tmp_path, header, label, stage):
    lead = only_lead(write(tmp_path, f"Name,Email,{header}\nAna,a@example.com,{label}\n"))

    assert lead["stage"] == stage
    assert lead["custom_fields"] == {header: label}
    valid(lead)


def test_without_a_stage_a_lead_is_profiled_the_generic_default(tmp_path):
    no_column = only_lead(write(tmp_path, "Name,Email\nAna,a@example.com\n"))
    empty_cell = only_lead(write(tmp_path, "Name,Email,Lifecycle Stage\nAna,a@example.com,\n"))

    assert no_column["stage"] == empty_cell["stage"] == "profiled"


@pytest.mark.parametrize(
    ("given", "stage"), [("lead", "lead"), ("Profiled", "profiled"), ("MQL", "profiled")]
)
def test_the_templates_stage_is_read_as_given(tmp_path, given, stage):
    lead = only_lead(write(tmp_path, f"name,email,stage\nAna,a@example.com,{given}\n"))

    assert lead == {"name": "Ana", "email": "a@example.com", "stage": stage}


def test_a_wrong_template_stage_is_left_for_the_intake_to_name(tmp_path):
    lead = only_lead(write(tmp_path, "name,email,stage\nAna,a@example.com,won\n"))

    assert lead["stage"] == "won"
    with pytest.raises(ValidationError) as error:
        LeadIn.model_validate(lead)
    assert error.value.errors()[0]["loc"] == ("stage",)


def test_an_rd_station_opportunity_makes_the_lead_profiled(tmp_path):
    text = (
        "Email,Nome,Estágio no funil,Oportunidade\n"
        "a@example.com,Ana,Lead,true\n"
        "b@example.com,Bia,Lead,false\n"
        "c@example.com,Caio,Lead,Sim\n"
        "d@example.com,Duda,,\n"
    )

    export, rows = read_rows(write(tmp_path, text))

    assert export.columns["Oportunidade"] == "stage"
    assert [row.lead["stage"] for row in rows] == ["profiled", "lead", "profiled", "profiled"]
    assert rows[0].lead["custom_fields"] == {"Estágio no funil": "Lead", "Oportunidade": "true"}


# -- dates -----------------------------------------------------------------------------------

ENGLISH = "First Name,Email,Create Date,Record ID"
PORTUGUESE = "Nome,Email,Data de criação"
SPANISH = "Nombre,Correo,Fecha de creación"


@pytest.mark.parametrize(
    ("header", "text", "expected"),
    [
        (ENGLISH, "2026-11-10 09:12", "2026-11-10T09:12:00"),
        (ENGLISH, "2026-11-10", "2026-11-10T00:00:00"),
        (ENGLISH, "2026-11-10T09:12:33.250", "2026-11-10T09:12:33.250000"),
        (ENGLISH, "2026-11-10T09:12:33Z", "2026-11-10T09:12:33+00:00"),
        (ENGLISH, "2026-11-18T15:31:35-03:00", "2026-11-18T15:31:35-03:00"),
        (ENGLISH, "2026-11-10 09:12:00 UTC", "2026-11-10T09:12:00+00:00"),
        (ENGLISH, "2026-11-10 9:12", "2026-11-10T09:12:00"),
        (ENGLISH, "2026/11/10 09:12", "2026-11-10T09:12:00"),
        (ENGLISH, "11/10/2026", "2026-11-10T00:00:00"),
        (ENGLISH, "11/10/2026 9:12 AM", "2026-11-10T09:12:00"),
        (ENGLISH, "11/10/2026 12:05 AM", "2026-11-10T00:05:00"),
        (ENGLISH, "11/10/2026, 1:30 PM", "2026-11-10T13:30:00"),
        (ENGLISH, "11/10/26 16:40", "2026-11-10T16:40:00"),
        (PORTUGUESE, "10/11/2026 09:12", "2026-11-10T09:12:00"),
        (PORTUGUESE, "10/11/2026 09:12:45", "2026-11-10T09:12:45"),
        (PORTUGUESE, "10.11.2026", "2026-11-10T00:00:00"),
        (SPANISH, "10-11-26 21:05", "2026-11-10T21:05:00"),
        (SPANISH, "10/11/2026 9:12 p. m.", "2026-11-10T21:12:00"),
    ],
)
def test_dates_in_the_usual_export_formats(tmp_path, header, text, expected):
    lead = only_lead(write(tmp_path, f'{header}\nAna,a@example.com,"{text}"\n'))

    assert lead["created_at"] == expected
    assert "custom_fields" not in lead
    valid(lead)


@pytest.mark.parametrize("text", ["ayer", "31/02/2026", "13/13/2026", "10 de noviembre", "45123"])
def test_a_date_that_does_not_parse_is_kept_as_text_and_the_row_is_not_lost(tmp_path, text):
    lead = only_lead(write(tmp_path, f"{PORTUGUESE}\nAna,a@example.com,{text}\n"))

    assert "created_at" not in lead
    assert lead["custom_fields"] == {"Data de criação": text}
    valid(lead)


def test_a_date_that_shows_its_order_decides_for_the_whole_file(tmp_path):
    day_first = write(
        tmp_path,
        "name,email,created_at\nAna,a@example.com,10/11/2026\nBia,b@example.com,25/11/2026\n",
    )
    export, rows = read_rows(day_first)
    assert export.day_first is True
    assert [row.lead["created_at"] for row in rows] == [
        "2026-11-10T00:00:00",
        "2026-11-25T00:00:00",
    ]

    month_first = write(
        tmp_path,
        "name,email,created_at\nAna,a@example.com,10/11/2026\nBia,b@example.com,11/25/2026\n",
    )
    export, rows = read_rows(month_first)
    assert export.day_first is False
    assert [row.lead["created_at"] for row in rows] == [
        "2026-10-11T00:00:00",
        "2026-11-25T00:00:00",
    ]


def test_a_hubspot_export_with_day_first_dates_is_read_day_first(tmp_path):
    text = f"{ENGLISH}\nAna,a@example.com,10/11/2026,1\nBia,b@example.com,25/11/2026 09:00,2\n"

    export, rows = read_rows(write(tmp_path, text))

    assert export.day_first is True
    assert rows[0].lead["created_at"] == "2026-11-10T00:00:00"


def test_the_caller_may_force_the_date_order(tmp_path):
    path = write(tmp_path, f"{SPANISH}\nAna,a@example.com,10/11/2026\n")

    assert only_lead(path, day_first=False)["created_at"] == "2026-10-11T00:00:00"
    assert only_lead(path)["created_at"] == "2026-11-10T00:00:00"


def test_parse_date_adds_no_zone_the_text_does_not_have():
    assert parse_date("2026-11-10 09:12", day_first=True) == "2026-11-10T09:12:00"
    assert parse_date("10/11/2026 13:00 PM", day_first=True) is None
    assert parse_date("2026-11-10T09:12:00+05:30", day_first=False) == "2026-11-10T09:12:00+05:30"


# -- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("87", 87),
        ("78.5", 78.5),
        ("78,5", 78.5),
        ("0,5", 0.5),
        ("6,667", 6667),
        ("6.667", 6667),
        ("1,234,567", 1234567),
        ("R$ 6.667,00", 6667),
        ("$ 50,000.50", 50000.5),
        ("MXN 6,667", 6667),
        ("6667 MXN", 6667),
        ("€1.500", 1500),
        ("95%", 95),
        ("-3", -3),
        ("A", None),
        ("3 a 5", None),
        ("12,34,567", None),
    ],
)
def test_numbers_in_either_notation(text, number):
    assert parse_number(text) == number


def test_a_score_that_is_not_a_number_is_kept_as_text(tmp_path):
    text = (
        "Email,Nome,Perfil,Valor estimado\n"
        'a@example.com,Ana,A,"R$ 12.000,00"\n'
        "b@example.com,Bia,75,\n"
    )

    _, rows = read_rows(write(tmp_path, text))

    assert "score" not in rows[0].lead
    assert rows[0].lead["custom_fields"] == {"Perfil": "A"}
    assert rows[0].lead["estimated_value"] == 12000
    assert rows[1].lead["score"] == 75
    for row in rows:
        valid(row.lead)


# -- size ------------------------------------------------------------------------------------


def test_a_100k_row_export_is_streamed(tmp_path):
    path = tmp_path / "big.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(
            (
                "Record ID,First Name,Last Name,Email,Phone Number,Company Name,Lifecycle Stage,"
                "Create Date,State/Region,City,HubSpot Score,Notes"
            ).split(",")
        )
        for n in range(100_000):
            note = "line one\nline two" if n % 1000 == 0 else ""
            contact = (n, "Lucía", "García", f"lucia{n}@example.com", "+52 55 1234 5678")
            zone_and_score = ("Jalisco", "Guadalajara", str(n % 101))
            writer.writerow(
                (
                    *contact,
                    "Andino",
                    "Marketing Qualified Lead",
                    "2026-11-10 09:12",
                    *zone_and_score,
                    note,
                )
            )

    export = read_export(path)

    assert isinstance(export.rows, Iterator) and iter(export.rows) is export.rows
    count = last_line = 0
    for row in export.rows:
        count, last_line = count + 1, row.line
    assert count == 100_000
    assert last_line == 100_001 + 100  # a two-line note every 1,000 rows


def test_channel_and_source_read_alike_from_webhooks_and_exports(tmp_path):
    from bot.domain.platforms.hubspot import leads_from_hubspot
    from bot.domain.platforms.rdstation import leads_from_rdstation

    hubspot_file = tmp_path / "hubspot.csv"
    hubspot_file.write_text(
        "Record ID,First Name,Email,Original Source\n7,Ana,a@x.example,Paid Search\n"
    )
    (hubspot_row,) = read_export(hubspot_file).rows
    (hubspot_hook,) = leads_from_hubspot(
        {
            "hs_object_id": "7",
            "firstname": "Ana",
            "email": "a@x.example",
            "hs_analytics_source": "PAID_SEARCH",
        }
    )
    assert hubspot_row.lead["channel"] == hubspot_hook["channel"] == "paid-search"

    rd_file = tmp_path / "rd.csv"
    rd_file.write_text(
        "Email,Nome,Origem da primeira conversão\nb@x.example,Bia,Busca Paga | Google\n"
    )
    (rd_row,) = read_export(rd_file).rows
    (rd_hook,) = leads_from_rdstation(
        {
            "event_type": "WEBHOOK.CONVERTED",
            "contact": {"uuid": "u-1", "email": "b@x.example", "name": "Bia",
                        "funnel": {"origin": "Busca Paga | Google"}},
        }
    )  # fmt: skip
    assert (rd_row.lead["channel"], rd_row.lead["source"]) == (
        rd_hook["channel"],
        rd_hook["source"],
    )
    assert rd_row.lead["source"] == "Google"
