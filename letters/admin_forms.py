"""Forms of the staff pages of the public mailbox (Wagtail admin).

They only read and check what a person typed; every change is made by the step in
``letters.services`` that the view calls with the cleaned data. Each form that acts on
a letter carries the letter's ``version`` as it was when the page was shown, so the
service can refuse if someone else acted in between.
"""

from django import forms
from django.contrib.auth import get_user_model

from orgs.forms import ErrorsBesideFields
from orgs.models import Role, Unit

from . import permissions, queries
from .models import Letter, Mailbox, Status


def _units():
    return Unit.objects.order_by("sort_order", "id")


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


def person_name(user):
    """A person's name in Chinese order (family name first); ``person_create`` stores
    the first character as the family name."""
    return f"{user.last_name}{user.first_name}".strip() or user.get_username()


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        name = person_name(obj)
        return name if name == obj.get_username() else f"{name}({obj.get_username()})"


class LetterActionForm(ErrorsBesideFields, forms.Form):
    """A step on one letter. Subclasses name the step (``action``, the key the view
    dispatches on) and how the form is shown."""

    action = ""
    title = ""
    submit_label = "提交"
    button_class = "button"
    decisions = ()  # (value, label, button class) for forms submitted with one of several buttons

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, data=None, *, letter, user, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.action}_%s")
        initial = {"version": letter.version, **kwargs.pop("initial", {})}
        super().__init__(data, initial=initial, **kwargs)
        self.letter, self.user = letter, user

    def keep_input_with_version(self, version):
        """After a refused step: keep what was typed but carry the letter's current
        version, so the person sees the new state and may decide again."""
        if self.is_bound:
            self.data = self.data.copy()
            self.data["version"] = str(version)


# --- Screening (dispatcher) -----------------------------------------------------------

class RouteForm(LetterActionForm):
    action, title, submit_label = "route", "受理分办", "受理并分办"

    unit = UnitChoiceField(label="办理单位", queryset=Unit.objects.none(), help_text="已按来信内容预选最可能的承办单位,请核对。")
    time_limit = forms.IntegerField(label="另定办理时限(工作日)", required=False, min_value=1, max_value=60,
                                    help_text="留空则按来信类型或上级交办时限计算;仅监督人员可另定。")
    reason = forms.CharField(label="内部分办说明(仅工作人员可见)", required=False, max_length=300,
                             help_text="写给承办单位和监督人员,来信人看不到。")
    citizen_note = forms.CharField(label="告知来信人(选填,来信人查询时可见)", required=False, max_length=300,
                                   help_text="将显示在来信人查询到的办理过程中,请勿写入内部意见。")

    def __init__(self, data=None, *, suggestion=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["unit"].queryset = _units()
        if suggestion is not None:
            self.fields["unit"].initial = suggestion.pk
        if not permissions.is_supervisor(self.user):
            del self.fields["time_limit"]


class RejectForm(LetterActionForm):
    action, title, submit_label, button_class = "reject", "不予受理", "不予受理", "button no"

    reason_code = forms.ChoiceField(label="理由", choices=())
    note = forms.CharField(label="补充说明(告知来信人)", required=False, max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        # Read when the form is made: the reasons are data the management centre changes.
        self.fields["reason_code"].choices = [("", "请选择")] + [
            (reason.code, reason.label) for reason in queries.active_not_accepted_reasons()
        ]


class DuplicateForm(LetterActionForm):
    action, title, submit_label, button_class = "duplicate", "重复来信", "标为重复", "button button-secondary"

    original = forms.CharField(label="原来信编号", max_length=20, help_text="例如 X2026010100001。")

    def clean_original(self):
        serial = self.cleaned_data["original"].strip().upper()
        original = Letter.objects.filter(serial=serial).first()
        if original is None:
            raise forms.ValidationError(f"没有编号为 {serial} 的来信。")
        return original


class SpamForm(LetterActionForm):
    action, title, submit_label, button_class = "spam", "垃圾信件", "标为垃圾信件", "button no"


# --- Handling (the unit) ----------------------------------------------------------------

class AssignForm(LetterActionForm):
    action, title, submit_label = "assign", "指定办理人", "指定"

    person = PersonChoiceField(label="办理人", queryset=get_user_model().objects.none())

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["person"].queryset = (
            get_user_model().objects.filter(
                memberships__unit_id=self.letter.handling_unit_id, memberships__role=Role.MAILBOX_HANDLER
            ).distinct().order_by("username")
        )
        if self.letter.assignee_id:
            self.fields["person"].initial = self.letter.assignee_id


class NoteForm(LetterActionForm):
    action, title, submit_label, button_class = "note", "内部备注", "记录", "button button-secondary"

    text = forms.CharField(label="备注(仅工作人员可见)", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ExtensionRequestForm(LetterActionForm):
    action, title, submit_label, button_class = "extension_request", "申请延期", "提交延期申请", "button button-secondary"

    days = forms.IntegerField(label="延期工作日", min_value=1, max_value=30)
    reason = forms.CharField(label="延期理由", max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class TransferForm(LetterActionForm):
    action, title, submit_label, button_class = "transfer", "转办", "转办", "button button-secondary"

    to_unit = UnitChoiceField(label="转给", queryset=Unit.objects.none())
    reason = forms.CharField(label="转办理由", max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["to_unit"].queryset = _units().exclude(pk=self.letter.handling_unit_id)


class ReturnForm(LetterActionForm):
    action, title, submit_label, button_class = "return", "退回分办人", "退回", "button no"

    reason = forms.CharField(label="退回理由", max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="分办后2个工作日内,确不属本单位职责的来信可退回重新分办。")


class ReplyDraftForm(LetterActionForm):
    action, title, submit_label = "reply_draft", "拟写答复", "提交领导审签"

    body = forms.CharField(label="答复内容", max_length=5000, widget=forms.Textarea(attrs={"rows": 8}))


class _DecisionForm(LetterActionForm):
    """A decision given by pressing one of two buttons named ``decision``."""

    def clean(self):
        cleaned = super().clean()
        decision = self.data.get("decision")
        if decision not in {value for value, _, _ in self.decisions}:
            raise forms.ValidationError("请选择同意或不同意。")
        cleaned["approve"] = decision == self.decisions[0][0]
        return cleaned


class ReplyDecideForm(_DecisionForm):
    action, title = "reply_decide", "审签答复"
    decisions = (("approve", "签发答复", "button"), ("reject", "退回修改", "button no"))

    reply = forms.IntegerField(widget=forms.HiddenInput)
    publish = forms.TypedChoiceField(
        label="签发后是否公开", choices=[("0", "不公开"), ("1", "公开(按左侧隐去个人信息的公开版本)")],
        coerce=lambda v: v == "1", initial="0", widget=forms.RadioSelect, required=False,
        help_text="来信人同意公开时才能公开;公开的只是隐去个人信息后的版本。",
    )
    reason = forms.CharField(label="退回理由(退回时必填)", required=False, max_length=300,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, data=None, *, reply=None, **kwargs):
        super().__init__(data, **kwargs)
        self.pending_reply = reply  # not .reply: a template's form.reply is the field
        if reply is not None:
            self.fields["reply"].initial = reply.pk
            from .publication import public_version

            # What would be published, shown beside the original before the decision.
            self.public_preview = public_version(self.letter, reply)
        if not self.letter.consent_publish:
            self.fields["publish"].choices = [("0", "不公开")]
            self.fields["publish"].help_text = "来信人未同意公开,不能公开。"

    def clean_publish(self):
        return bool(self.cleaned_data.get("publish"))

    def clean_reply(self):
        reply = self.letter.replies.filter(pk=self.cleaned_data["reply"]).first()
        if reply is None:
            raise forms.ValidationError("没有这份答复稿。")
        return reply


class ExtensionDecideForm(_DecisionForm):
    action, title = "extension_decide", "审批延期"
    decisions = (("approve", "同意延期", "button"), ("refuse", "不同意", "button no"))

    extension = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label="意见", required=False, max_length=300)

    def __init__(self, data=None, *, extension=None, **kwargs):
        super().__init__(data, **kwargs)
        self.pending_extension = extension
        if extension is not None:
            self.fields["extension"].initial = extension.pk

    def clean_extension(self):
        extension = self.letter.extensions.filter(pk=self.cleaned_data["extension"]).first()
        if extension is None:
            raise forms.ValidationError("没有这份延期申请。")
        return extension


ACTION_FORMS = {
    form.action: form
    for form in (RouteForm, RejectForm, DuplicateForm, SpamForm, AssignForm, NoteForm, ExtensionRequestForm,
                 TransferForm, ReturnForm, ReplyDraftForm, ReplyDecideForm, ExtensionDecideForm)
}


class ContactForm(forms.Form):
    """Showing a citizen's contact data changes nothing on the letter (no version);
    the view is logged by ``services.contact_view``."""

    purpose = forms.CharField(label="用途", required=False, max_length=100)


# --- Queue, calendar, statistics ------------------------------------------------------------

class QueueFilterForm(forms.Form):
    """Narrowing a tab of the queue; every filter is on an indexed column."""

    mailbox = forms.ModelChoiceField(label="信箱", required=False, queryset=Mailbox.objects.all(), empty_label="全部信箱")
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态")] + list(Status.choices))
    unit = UnitChoiceField(label="办理单位", required=False, queryset=Unit.objects.none(), empty_label="全部单位")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_filter_%s")
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units()

    def apply(self, letters):
        if not self.is_valid():
            return letters
        data = self.cleaned_data
        if data.get("mailbox"):
            letters = letters.filter(mailbox=data["mailbox"])
        if data.get("status"):
            letters = letters.filter(status=data["status"])
        if data.get("unit"):
            letters = letters.filter(handling_unit=data["unit"])
        return letters


class CalendarEntryForm(ErrorsBesideFields, forms.Form):
    date = forms.DateField(label="日期", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    is_working_day = forms.TypedChoiceField(
        label="这一天", choices=[("1", "上班(工作日)"), ("0", "休息(非工作日)")], coerce=lambda v: v == "1",
    )
    reason = forms.CharField(label="原因", max_length=100, help_text="例如:国务院办公厅通知调休;本市突发停工。")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_calendar_%s")
        super().__init__(*args, **kwargs)


class StatsFilterForm(forms.Form):
    since = forms.DateField(label="收信日期自", required=False,
                            widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
                            help_text="留空统计全部来信。")
