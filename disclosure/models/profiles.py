"""Unit profiles (机构概况): the structured disclosure columns every unit's site has.

A unit's overview, its duties, its internal departments, its leaders and
post-responsible persons, its contact-phone directory are rows here, one place
each, edited through ``disclosure.profiles`` and shown by the ``ProfilePage``
sections of the unit's 机构概况 column. The items a unit handles or accepts
(办理事项) are not kept here: they are the unit's live ``ServiceGuidePage`` s.

One row per fact means a leader's change is one edit that every page showing the
leader follows (the page cache is told of these models in ``apps.ready``).
"""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.blocks import CharBlock
from wagtail.fields import RichTextField, StreamField

from portal.models import PlatformPage

# Office phones as the public dials them: an area code and number (023-63851234,
# 023 6385 1234 or (023)63851234), a local number, a service number (12345, 95598,
# 400 numbers) or a mobile number, optionally followed by an extension (转801).
PHONE_CHARS_RE = re.compile(r"^[\d\s()\-]+$")
PHONE_DIGITS_RE = re.compile(r"^(?:0\d{7,11}|[2-8]\d{6,7}|1[3-9]\d{9}|400\d{7}|1\d{4}|9\d{4})$")
EXTENSION_RE = re.compile(r"\s*(?:转|分机)\s*\d{1,5}$")
URL_HINT = _("请填写完整的网址,以 http:// 或 https:// 开头。")


def phone_error(value):
    """The Chinese message for a phone number the public could not dial, or None."""
    value = EXTENSION_RE.sub("", (value or "").strip())
    if not value:
        return None
    digits = re.sub(r"[\s()\-]", "", value)
    if not (PHONE_CHARS_RE.match(value) and PHONE_DIGITS_RE.match(digits)):
        return _("电话号码格式不正确:请填写如 023-63851234、12345 或 13812345678 的号码,分机可写“转801”。")
    return None


class PersonKind(models.TextChoices):
    LEADER = "leader", _("领导")
    POST_RESPONSIBLE = "post", _("岗位负责人")


class UnitProfile(models.Model):
    """The unit's overview (机构概况) and duties (职责). One per unit."""

    unit = models.OneToOneField("orgs.Unit", on_delete=models.CASCADE, related_name="profile", verbose_name=_("单位"))
    intro = models.TextField(_("机构简介"), blank=True, help_text=_("几句话说明本单位是什么机构、由谁设立、做什么。"))
    address = models.CharField(_("办公地址"), max_length=200, blank=True)
    postcode = models.CharField(_("邮政编码"), max_length=6, blank=True)
    office_hours = models.CharField(_("办公时间"), max_length=200, blank=True,
                                    help_text=_("例如:工作日 9:00—12:00,13:30—17:00"))
    website = models.URLField(_("网站地址"), max_length=300, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    duties = StreamField([("duty", CharBlock(label=_("职责"), max_length=500))], blank=True,
                         verbose_name=_("主要职责"), help_text=_("每条职责一项,按顺序排列。"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    panels = [FieldPanel("unit"), FieldPanel("intro"), FieldPanel("address"), FieldPanel("postcode"),
              FieldPanel("office_hours"), FieldPanel("website"), FieldPanel("email"), FieldPanel("duties")]

    class Meta:
        verbose_name = _("机构概况")
        verbose_name_plural = _("机构概况")

    def __str__(self):
        return f"{self.unit}·机构概况"

    def clean(self):
        errors = {}
        if self.postcode and not re.fullmatch(r"\d{6}", self.postcode):
            errors["postcode"] = _("邮政编码应为6位数字。")
        if self.website and not re.match(r"^https?://", self.website):
            errors["website"] = URL_HINT
        if errors:
            raise ValidationError(errors)

    @property
    def duty_items(self):
        return [block.value for block in self.duties if str(block.value).strip()]


class InternalDepartment(models.Model):
    """An internal department (内设机构) of the unit."""

    unit = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, related_name="departments", verbose_name=_("单位"))
    name = models.CharField(_("名称"), max_length=60, error_messages={"blank": _("请填写内设机构的名称。")})
    duties = models.TextField(_("主要职责"), blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    panels = [FieldPanel("unit"), FieldPanel("name"), FieldPanel("duties"), FieldPanel("phone"),
              FieldPanel("sort_order")]

    class Meta:
        ordering = ["unit", "sort_order", "id"]
        verbose_name = _("内设机构")
        verbose_name_plural = _("内设机构")
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="internal_department_unique_name")]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if phone_error(self.phone):
            errors["phone"] = phone_error(self.phone)
        if errors:
            raise ValidationError(errors)


class UnitPerson(models.Model):
    """A leader (领导) or post-responsible person (岗位负责人) of the unit: name,
    photo, post, résumé, the work in their charge (分管工作) and the matters they
    answer for."""

    unit = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, related_name="profile_people",
                             verbose_name=_("单位"))
    kind = models.CharField(_("类别"), max_length=10, choices=PersonKind.choices, default=PersonKind.LEADER)
    name = models.CharField(_("姓名"), max_length=40, error_messages={"blank": _("请填写姓名。")})
    title = models.CharField(_("职务或岗位"), max_length=80, error_messages={"blank": _("请填写职务或岗位。")})
    photo = models.ForeignKey("wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("照片"))
    resume = RichTextField(_("简历"), blank=True, features=["bold", "ol", "ul"],
                           help_text=_("按时间顺序,每段经历一行。"))
    in_charge = models.TextField(_("分管工作"), blank=True,
                                 help_text=_("领导填写分管工作,岗位负责人填写岗位职责。"))
    matters = models.ManyToManyField("disclosure.ServiceGuidePage", blank=True, related_name="responsible_people",
                                     verbose_name=_("负责的事项"))
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    panels = [FieldPanel("unit"), FieldPanel("kind"), FieldPanel("name"), FieldPanel("title"), FieldPanel("photo"),
              FieldPanel("resume"), FieldPanel("in_charge"), FieldPanel("matters"), FieldPanel("sort_order")]

    class Meta:
        ordering = ["unit", "kind", "sort_order", "id"]
        verbose_name = _("领导和岗位负责人")
        verbose_name_plural = _("领导和岗位负责人")

    def __str__(self):
        return f"{self.name}({self.title})"

    def clean(self):
        if self.name and len(self.name.strip()) < 2:
            raise ValidationError({"name": _("姓名至少两个字。")})


class ContactPhone(models.Model):
    """An entry of the unit's contact-phone directory (联系电话)."""

    unit = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, related_name="contact_phones",
                             verbose_name=_("单位"))
    name = models.CharField(_("名称"), max_length=60, help_text=_("例如:办公室、政务服务窗口、监督投诉"),
                            error_messages={"blank": _("请填写电话的名称,例如“办公室”。")})
    number = models.CharField(_("电话号码"), max_length=40, error_messages={"blank": _("请填写电话号码。")})
    hours = models.CharField(_("接听时间"), max_length=100, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    panels = [FieldPanel("unit"), FieldPanel("name"), FieldPanel("number"), FieldPanel("hours"), FieldPanel("note"),
              FieldPanel("sort_order")]

    class Meta:
        ordering = ["unit", "sort_order", "id"]
        verbose_name = _("联系电话")
        verbose_name_plural = _("联系电话")

    def __str__(self):
        return f"{self.name} {self.number}"

    def clean(self):
        if self.number and phone_error(self.number):
            raise ValidationError({"number": phone_error(self.number)})


class ProfileSection(models.TextChoices):
    FUNCTIONS = "functions", _("机构职能")
    LEADERS = "leaders", _("领导信息")
    DEPARTMENTS = "departments", _("内设机构")
    CONTACTS = "contacts", _("联系方式")
    MATTERS = "matters", _("办理事项")


class ProfilePage(PlatformPage):
    """One section of a unit's 机构概况 column, rendered from the structured data
    above (nothing is typed into the page: its title and place only). Made by
    ``disclosure.profiles.profile_sections_ensure`` with the site."""

    section = models.CharField(_("内容"), max_length=20, choices=ProfileSection.choices)

    content_panels = PlatformPage.content_panels + [FieldPanel("section")]
    parent_page_types = ["portal.ColumnPage"]
    subpage_types = []
    template = "disclosure/profile_page.html"

    class Meta:
        verbose_name = _("机构概况页")
        verbose_name_plural = _("机构概况页")

    @property
    def column(self):
        trail = self.column_trail()
        return trail[-1] if trail else None

    def get_context(self, request, *args, **kwargs):
        from ..profiles import profile_context

        context = super().get_context(request, *args, **kwargs)
        context.update(profile_context(unit_id=self.home.unit_id, home=self.home, section=self.section))
        column = context["column"]
        context["sections"] = ProfilePage.objects.child_of(column).live().order_by("path") if column else []
        return context
