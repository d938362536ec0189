"""The online form of a guide as a Django form (Wagtail's ``FormBuilder`` with the
field types a government form needs), and the checks of the applicant's identity.

Every message is Chinese and names its field, so a refused form says what to
change beside each field. Nothing here stores anything.
"""

import datetime as dt
import decimal
import re

import django.forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from wagtail.contrib.forms.forms import FormBuilder

PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
ID_CARD_RE = re.compile(r"^\d{17}[\dX]$")
CREDIT_CODE_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
MAX_TEXT, MAX_MULTILINE = 200, 2000


# --- Identity numbers -------------------------------------------------------------------

# The provinces' codes of GB/T 2260 that begin every 居民身份证号码 (and the residence
# permits of people from Hong Kong, Macao and Taiwan: 81, 82, 83). The 2023 foreigners'
# permanent residence card begins with 9 and then the issuing province's code.
PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 83".split()
)


def id_card_check_digit(first17):
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS)) % 11]


def id_card_problem(value):
    """Why ``value`` is not an 18-digit 居民身份证号码 (None if it is one): its form,
    its date of birth and its check digit (GB 11643). Any place of issue is fine:
    people from elsewhere apply too."""
    value = (value or "").strip().upper()
    if not ID_CARD_RE.match(value):
        return "身份证号码应为18位:17位数字加1位数字或X。"
    if value[:2] not in PROVINCE_CODES and not (value[0] == "9" and value[1:3] in PROVINCE_CODES):
        return "身份证号码的前两位不是有效的地区代码,请核对。"
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "身份证号码中的出生日期不正确。"
    if born.year < 1900 or born > dt.date.today():
        return "身份证号码中的出生日期不正确。"
    if id_card_check_digit(value[:17]) != value[17]:
        return "身份证号码校验位不正确,请核对。"
    return None


def id_number_masked(value):
    """A person's 18-digit ID number with its birth date and sequence hidden
    (``500103********123X``); an enterprise's credit code, public in the registry,
    as it is."""
    value = (value or "").strip()
    if ID_CARD_RE.match(value.upper()):
        return value[:6] + "*" * 8 + value[-4:]
    return value


def credit_code_check_char(first17):
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(value):
    """Why ``value`` is not an 18-character 统一社会信用代码 (GB 32100), or None."""
    value = (value or "").strip().upper()
    if not CREDIT_CODE_RE.match(value):
        return "统一社会信用代码应为18位数字或大写字母(不含 I、O、Z、S、V)。"
    if credit_code_check_char(value[:17]) != value[17]:
        return "统一社会信用代码校验位不正确,请核对。"
    return None


# --- The applicant --------------------------------------------------------------------------

IDENTITY_FIELDS = ("applicant_type", "applicant_name", "id_number", "phone", "email")
IDENTITY_LABELS = {"applicant_type": "申请人类型", "applicant_name": "申请人名称", "id_number": "证件号码",
                   "phone": "联系电话", "email": "电子邮箱"}


def identity_errors(identity):
    """``(errors, cleaned)`` of the applicant's identity: every field's message at once."""
    values = {name: (identity.get(name) or "").strip() for name in IDENTITY_FIELDS}
    errors = {}
    kind = values["applicant_type"]
    if kind not in ("person", "enterprise"):
        errors["applicant_type"] = "请选择申请人类型:个人或法人。"
    name = values["applicant_name"]
    if not name or len(name) > 100:
        errors["applicant_name"] = ("请填写申请人姓名" if kind != "enterprise" else "请填写单位名称") + "(不超过100个字)。"
    number = values["id_number"].upper().replace(" ", "")
    values["id_number"] = number
    if not number:
        errors["id_number"] = "请填写身份证号码;法人请填写统一社会信用代码。"
    elif kind == "enterprise":
        problem = credit_code_problem(number)
        if problem:
            errors["id_number"] = problem
    else:
        problem = id_card_problem(number)
        if problem:
            errors["id_number"] = problem
    if not PHONE_RE.match(values["phone"]):
        errors["phone"] = "请填写正确的手机号码或带区号的固定电话(查询时需要后四位)。"
    if not values["email"]:
        errors["email"] = "请填写电子邮箱:受理回执和审查结果发到这里。"
    else:
        try:
            validate_email(values["email"])
        except ValidationError:
            errors["email"] = "电子邮箱格式不正确。"
    return errors, values


# --- The guide's fields --------------------------------------------------------------------------

class IdNumberField(django.forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if value:
            value = value.strip().upper()
            problem = id_card_problem(value)
            if problem:
                raise ValidationError(problem)
        return value


class PhoneField(django.forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if value and not PHONE_RE.match(value.strip()):
            raise ValidationError("请填写正确的手机号码或带区号的固定电话。")
        return value.strip() if value else value


class GuideFormBuilder(FormBuilder):
    """Wagtail's builder, with 电话号码 and 居民身份证号码, and messages that name the field."""

    def get_field_options(self, field):
        options = super().get_field_options(field)
        label = field.label
        options["error_messages"] = {
            "required": f"请填写「{label}」。" if field.field_type not in ("dropdown", "radio", "checkboxes")
            else f"请选择「{label}」。",
            "invalid": f"「{label}」格式不正确。",
            "invalid_choice": f"「{label}」的选项不在列表中。",
            "max_length": f"「{label}」太长了。",
        }
        if field.field_type == "checkbox":
            options["error_messages"]["required"] = f"请勾选「{label}」。"
        return options

    def create_singleline_field(self, field, options):
        options["max_length"] = MAX_TEXT
        options["error_messages"]["max_length"] = f"「{field.label}」不超过{MAX_TEXT}个字。"
        return django.forms.CharField(**options)

    def create_multiline_field(self, field, options):
        options["max_length"] = MAX_MULTILINE
        options["error_messages"]["max_length"] = f"「{field.label}」不超过{MAX_MULTILINE}个字。"
        options.setdefault("widget", django.forms.Textarea)
        return django.forms.CharField(**options)

    def create_number_field(self, field, options):
        options["error_messages"]["invalid"] = f"「{field.label}」请填写数字。"
        options["max_digits"], options["decimal_places"] = 14, 2
        options["error_messages"]["max_digits"] = f"「{field.label}」的数字太大。"
        options["error_messages"]["max_decimal_places"] = f"「{field.label}」最多保留两位小数。"
        options["error_messages"]["max_whole_digits"] = f"「{field.label}」的数字太大。"
        return django.forms.DecimalField(**options)

    def create_date_field(self, field, options):
        options["error_messages"]["invalid"] = f"「{field.label}」请按 年-月-日 填写日期,如 2026-03-18。"
        options["input_formats"] = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d"]
        return django.forms.DateField(**options)

    def create_email_field(self, field, options):
        options["error_messages"]["invalid"] = f"「{field.label}」不是有效的电子邮箱。"
        return django.forms.EmailField(**options)

    def create_phone_field(self, field, options):
        options["max_length"] = 20
        return PhoneField(**options)

    def create_id_number_field(self, field, options):
        options["max_length"] = 18
        return IdNumberField(**options)

    @property
    def formfields(self):
        fields, seen = {}, set()
        for field in self.fields:
            name = form_field_name(field)
            if name in seen:  # two fields with one label: the later one gets its own name
                name = f"{name}_{field.pk or len(seen)}"
            seen.add(name)
            fields[name] = self.get_create_field_function(field.field_type)(field, self.get_field_options(field))
        return fields


def form_field_name(field):
    return field.clean_name or field.get_field_clean_name()


def guide_fields(guide):
    """The guide's form fields in order (as saved; a draft's unsaved fields are not offered)."""
    from .models import GuideFormField

    return list(GuideFormField.objects.filter(page=guide).order_by("sort_order", "id"))


def form_class(fields):
    return GuideFormBuilder(fields).get_form_class()


def plain_value(value):
    """A cleaned value as JSON (what is stored and shown)."""
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return value


def shown_value(value):
    """A stored value as text for people: ticks as 是/否, lists joined."""
    if value is True:
        return "是"
    if value is False or value is None or value == "":
        return "—" if value is not False else "否"
    if isinstance(value, list):
        return "、".join(value) or "—"
    return str(value)


def values_errors(fields, values):
    """``(errors, cleaned)`` of the guide's fields for ``values`` (name → text or
    list of texts): every field checked, every message at once."""
    form = form_class(fields)(data=dict(values))
    cleaned = {}
    if form.is_valid():
        cleaned = {name: plain_value(value) for name, value in form.cleaned_data.items()}
        return {}, cleaned
    return {name: " ".join(messages) for name, messages in form.errors.items()}, cleaned


def form_data_of(stored):
    """Stored values as form data again (a correction keeps what was right)."""
    data = {}
    for name, value in stored.items():
        if value is True:
            data[name] = "on"
        elif value is False or value is None:
            continue
        else:
            data[name] = value
    return data


def choices_of(field):
    return [value for value, _ in GuideFormBuilder([]).get_formatted_field_choices(field) if value]
