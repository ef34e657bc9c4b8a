"""The intake's normalisers: clean text, one shape per email, E.164 phones, bounded scores."""

from __future__ import annotations

import math
import re
import unicodedata

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.normalize import (
    LONG_TEXT_LIMIT,
    NAME_LIMIT,
    PHONE_LIMIT,
    URL_LIMIT,
    InvalidEmail,
    PhoneNumber,
    clamp_score,
    clean_text,
    normalize_email,
    normalize_phone,
    normalize_url,
)

E164 = re.compile(r"\+[1-9]\d{6,14}")
REGIONS = [None, "MX", "BR", "ES", "US", "CO", "mx", "XX"]
property_test = settings(max_examples=200, deadline=None)
FORMAT = phonenumbers.PhoneNumberFormat
KIND = phonenumbers.PhoneNumberType

# Any code point, lone surrogates included, with the awkward ones made common.
any_char = st.characters(exclude_categories=())
tricky_char = st.sampled_from(
    " \t\n\r\x0b\x0c\x00\x1b\x7f\x85\xa0\u2028\u200b\u200d\u202e\ufeff\ud800"
)
messy_text = st.text(st.one_of(any_char, tricky_char, st.sampled_from("ab…")), max_size=60)


# clean_text


def test_text_is_trimmed_and_single_line_text_becomes_one_line():
    assert clean_text("  Lucía \t Pérez\r\n López  ", limit=NAME_LIMIT) == "Lucía Pérez López"


def test_multiline_text_keeps_its_line_breaks_in_one_form():
    text = "\tPrimera llamada: sin respuesta.\r\nSegunda:\rpidió\tcotización.\u2028Fin\n"
    assert clean_text(text, limit=LONG_TEXT_LIMIT, multiline=True) == (
        "Primera llamada: sin respuesta.\nSegunda:\npidió cotización.\nFin"
    )


def test_control_and_invisible_format_characters_are_removed():
    # NUL (PostgreSQL refuses it), an escape, a bidi override that would disguise the name,
    # a zero-width space and a byte-order mark.
    text = "Ana\x00 Ma\x1b[31mría \u202eoicnarF\u202c\u200b\ufeff"
    assert clean_text(text, limit=NAME_LIMIT) == "Ana Ma[31mría oicnarF"


def test_emoji_sequences_keep_their_joiners():
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert clean_text(f"Familia {family}", limit=NAME_LIMIT) == f"Familia {family}"


def test_lone_surrogates_go_and_paired_ones_become_their_character():
    assert clean_text("Jo\ud800sé \ud83d\ude00", limit=NAME_LIMIT) == "José \U0001f600"


def test_slack_markup_is_kept_as_text():
    text = "<!channel> ask <@U123> about <https://x.example|this>"
    assert clean_text(text, limit=NAME_LIMIT) == text


def test_an_over_long_name_is_cut_to_the_limit_with_an_ellipsis():
    name = clean_text("María José " * 1000, limit=NAME_LIMIT)
    assert name is not None
    assert len(name) == NAME_LIMIT
    assert name.startswith("María José María")
    assert name.endswith(" José M…")


def test_a_cut_never_leaves_a_space_before_the_ellipsis():
    assert clean_text("abcd efgh", limit=6) == "abcd…"
    assert clean_text("x" * 10_000, limit=NAME_LIMIT) == "x" * (NAME_LIMIT - 1) + "…"


@pytest.mark.parametrize("value", [None, "", "   ", "\x00\u200b\t\r\n", "\ud800"])
def test_nothing_left_is_none(value):
    assert clean_text(value, limit=NAME_LIMIT) is None


@pytest.mark.parametrize(("value", "text"), [(42, "42"), (7.5, "7.5"), (-3, "-3")])
def test_numbers_become_their_text(value, text):
    assert clean_text(value, limit=NAME_LIMIT) == text


@pytest.mark.parametrize("value", [True, ["a"], {"a": 1}])
def test_anything_else_is_a_callers_mistake(value):
    with pytest.raises(TypeError):
        clean_text(value, limit=NAME_LIMIT)


@property_test
@given(text=messy_text, limit=st.integers(1, 40), multiline=st.booleans())
def test_clean_text_is_bounded_clean_trimmed_encodable_and_idempotent(text, limit, multiline):
    cleaned = clean_text(text, limit=limit, multiline=multiline)
    if cleaned is None:
        return
    assert 0 < len(cleaned) <= limit
    assert cleaned == cleaned.strip()
    cleaned.encode("utf-8")
    for char in cleaned:
        category = unicodedata.category(char)
        assert category not in ("Cc", "Cs") or (multiline and char == "\n")
        assert category != "Cf" or char in "\u200c\u200d"
    if not multiline:
        assert "  " not in cleaned
        assert not any(char.isspace() and char != " " for char in cleaned)
    assert clean_text(cleaned, limit=limit, multiline=multiline) == cleaned


# normalize_email


@pytest.mark.parametrize(
    ("given_email", "stored"),
    [
        ("  Lucia.Gomez@Example.COM ", "lucia.gomez@example.com"),
        ("MAILTO:Ventas@Acme.com.mx", "ventas@acme.com.mx"),
        ("<ana+leads@empresa.com.br>", "ana+leads@empresa.com.br"),
        ("<mailto:Ana@Empresa.com|Ana@Empresa.com>", "ana@empresa.com"),  # pasted from Slack
        ("Ana López <Ana@Empresa.com>", "ana@empresa.com"),
        ("mailto: ana@empresa.com", "ana@empresa.com"),
        ("josé@café.example", "josé@café.example"),
        ("JOSÉ@CAFÉ.EXAMPLE", "josé@café.example"),
        ("jose\u0301@cafe\u0301.example", "josé@café.example"),  # decomposed accents
        ("a@xn--caf-dma.example", "a@xn--caf-dma.example"),
    ],
)
def test_emails_get_one_shape(given_email, stored):
    assert normalize_email(given_email) == stored


@pytest.mark.parametrize("value", [None, "", "   \t"])
def test_no_email_is_none(value):
    assert normalize_email(value) is None


@pytest.mark.parametrize(
    "value",
    [
        "lucia@",
        "@x.com",
        "a@b",
        "a b@c.com",
        "a@@b.com",
        "a@b@c.com",
        "lucia",
        "mailto:",
        "<>",
        "a..b@c.com",
        ".a@c.com",
        "a.@c.com",
        '"a"@c.com',
        "a@-c.com",
        "a@c-.com",
        "a@c_d.com",
        "a@c.com.",
        "a@c..com",
        "a@c.com?subject=hola",
        "a\u200b@c.com",
        "a@" + "b" * 64 + ".com",
        "a" * 65 + "@c.com",
        "a@" + ".".join(["b" * 60] * 5) + ".com",
    ],
)
def test_what_cannot_be_an_address_is_refused(value):
    with pytest.raises(InvalidEmail, match="not a valid email address"):
        normalize_email(value)


def test_invalid_email_is_a_value_error_for_the_http_layer():
    assert issubclass(InvalidEmail, ValueError)


plausible_email = st.builds(
    "{}@{}.{}".format,
    st.text(st.sampled_from("abcXYZ09._+-éÑ"), min_size=1, max_size=20),
    st.text(st.sampled_from("abcXYZ09-çÁ"), min_size=1, max_size=20),
    st.sampled_from(["com", "MX", "com.br", "es", "Example"]),
)


@property_test
@given(value=st.one_of(st.emails(), plausible_email, messy_text))
def test_normalize_email_only_refuses_with_invalid_email_and_is_idempotent(value):
    try:
        email = normalize_email(value)
    except InvalidEmail:
        return
    if email is None:
        assert not value.strip()
        return
    assert email == email.lower()
    assert email.count("@") == 1
    assert normalize_email(email) == email


@property_test
@given(value=st.emails())
def test_every_ordinary_address_is_accepted(value):
    assert normalize_email(value) == value.lower()


# normalize_phone


@pytest.mark.parametrize(
    ("value", "region", "e164"),
    [
        ("55 1234 5678", "MX", "+525512345678"),
        ("+52 1 55 1234 5678", None, "+525512345678"),  # the retired Mexican mobile "1"
        ("(33) 3616-1234", "MX", "+523336161234"),
        ("+55 (11) 98765-4321", None, "+5511987654321"),
        ("(11) 98765-4321", "BR", "+5511987654321"),
        ("0034 612 345 678", None, "+34612345678"),
        ("0034 612 345 678", "BR", "+34612345678"),
        ("612.345.678", "ES", "+34612345678"),
        ("(415) 555-2671", "US", "+14155552671"),
        ("(415) 555-2671", "us", "+14155552671"),
        ("+57 301 234 5678", "MX", "+573012345678"),
        (5512345678, "MX", "+525512345678"),
    ],
)
def test_phones_become_e164(value, region, e164):
    assert normalize_phone(value, default_region=region) == PhoneNumber(e164, True)


def test_an_extension_is_kept_apart_from_the_e164_number():
    phone = normalize_phone("(415) 555-2671 ext. 123", default_region="US")
    assert phone == PhoneNumber("+14155552671", True, "123")


@pytest.mark.parametrize(
    ("value", "region", "kept"),
    [
        ("55 1234 5678", None, "55 1234 5678"),  # no country code and no region to place it
        ("  llamar después de las 6\t", "MX", "llamar después de las 6"),
        ("+52 0000000000", None, "+52 0000000000"),
        ("123", "US", "123"),
        ("+1 555 0100 123", None, "+1 555 0100 123"),
    ],
)
def test_a_phone_that_cannot_be_normalised_is_kept_as_given_and_flagged(value, region, kept):
    assert normalize_phone(value, default_region=region) == PhoneNumber(kept, False)


def test_a_flagged_phone_is_bounded():
    phone = normalize_phone("ext " * 100, default_region="MX")
    assert not phone.valid
    assert phone.value is not None
    assert len(phone.value) <= PHONE_LIMIT


@pytest.mark.parametrize("value", [None, "", "  ", "\u200b"])
def test_no_phone_is_nothing_to_flag(value):
    assert normalize_phone(value, default_region="MX") == PhoneNumber(None, True)


phone_like = st.from_regex(r"\A(\+|00)?[0-9 ().\-]{0,20}( ext\. ?[0-9]{1,4})?\Z")


@st.composite
def real_phone(draw) -> tuple[str, str]:
    """A real number from phonenumbers' examples, written as people write it, and its region."""
    region = draw(st.sampled_from(sorted(phonenumbers.SUPPORTED_REGIONS)))
    kind = draw(st.sampled_from([KIND.MOBILE, KIND.FIXED_LINE]))
    number = phonenumbers.example_number_for_type(region, kind)
    if number is None:
        number = phonenumbers.example_number(region)
    style = draw(st.sampled_from([FORMAT.E164, FORMAT.INTERNATIONAL, FORMAT.NATIONAL]))
    text = phonenumbers.format_number(number, style)
    if text.startswith("+") and draw(st.booleans()):
        text = "00" + text[1:]
    return text, region


@property_test
@given(
    value=st.one_of(phone_like, messy_text, st.integers(), st.integers(10**6, 10**15)),
    region=st.sampled_from(REGIONS),
)
def test_normalize_phone_never_raises_and_valid_means_stable_e164(value, region):
    assert_phone_properties(value, region)


@property_test
@given(example=real_phone())
def test_real_numbers_as_people_write_them_become_stable_e164(example):
    text, region = example
    assert normalize_phone(text, default_region=region).valid
    assert_phone_properties(text, region)


def assert_phone_properties(value: object, region: str | None) -> None:
    phone = normalize_phone(value, default_region=region)
    if phone.value is None:
        assert phone.valid
    elif phone.valid:
        assert E164.fullmatch(phone.value)
        for again_region in (None, region):
            again = normalize_phone(phone.value, default_region=again_region)
            assert again == PhoneNumber(phone.value, True)
    else:
        assert len(phone.value) <= PHONE_LIMIT


# clamp_score


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, (None, None)),
        (72.5, (72.5, None)),
        (0, (0.0, None)),
        (100, (100.0, None)),
        (-0.0, (0.0, None)),
        (120, (100.0, 120.0)),
        (-3.5, (0.0, -3.5)),
        (math.inf, (100.0, None)),
        (-math.inf, (0.0, None)),
        (math.nan, (None, None)),
    ],
)
def test_scores_are_clamped_and_the_raw_value_kept_when_they_were(value, expected):
    assert clamp_score(value) == expected


@property_test
@given(value=st.floats(allow_nan=False, allow_infinity=False))
def test_clamped_scores_stay_within_0_and_100(value):
    score, raw = clamp_score(value)
    assert score is not None
    assert 0.0 <= score <= 100.0
    assert raw == (None if 0 <= value <= 100 else value)


# normalize_url


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "https://app.rdstation.com.br/leads/123",
            ("https://app.rdstation.com.br/leads/123", None),
        ),
        (" HTTPS://Crm.Example/Lead?id=7#notes ", ("https://Crm.Example/Lead?id=7#notes", None)),
        ("http://[2001:db8::1]:8080/x", ("http://[2001:db8::1]:8080/x", None)),
        ("crm.example/x", (None, "crm.example/x")),
        ("ftp://files.example/lead.csv", (None, "ftp://files.example/lead.csv")),
        ("javascript:alert(1)", (None, "javascript:alert(1)")),
        ("https://", (None, "https://")),
        ("https://x.example/a b", (None, "https://x.example/a b")),
        ("https://x.example/<!channel>", (None, "https://x.example/<!channel>")),
        ("http://x.example:99999/", (None, "http://x.example:99999/")),
        ("http://[::1", (None, "http://[::1")),
        (None, (None, None)),
        ("  ", (None, None)),
    ],
)
def test_only_http_links_are_links(value, expected):
    assert normalize_url(value) == expected


def test_a_link_over_the_limit_is_kept_as_text_not_cut_into_another_link():
    url = "https://x.example/" + "a" * URL_LIMIT
    link, text = normalize_url(url)
    assert link is None
    assert text is not None
    assert len(text) == URL_LIMIT
    assert text.endswith("…")


web_url = st.builds(
    "{}://{}/{}".format,
    st.sampled_from(["http", "https", "HTTP", "ftp"]),
    st.from_regex(r"\A[a-z0-9.\-\[\]:@]{0,20}\Z"),
    messy_text,
)


@property_test
@given(value=st.one_of(web_url, messy_text, st.integers(), st.floats()))
def test_normalize_url_never_raises_and_keeps_one_of_link_or_text(value):
    link, text = normalize_url(value)
    if link is not None:
        assert text is None
        assert link.startswith(("http://", "https://"))
        assert len(link) <= URL_LIMIT
        assert normalize_url(link) == (link, None)
    elif text is not None:
        assert len(text) <= URL_LIMIT
