from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from claims.models import Article, Claim
from claims.selectors import SORTS, ClaimFilters, article_duplicate_of
from claims.selectors_matching import MEMORY_FILTERS
from claims.services.feeds import HtmlUpload
from claims.uploads import (
    UploadError,
    check_text_size,
    check_upload_size,
    decode_text,
    is_html_upload,
    read_upload,
)


class ClaimFilterForm(forms.Form):
    """The dashboard's filters, read from the query string (so links and back work)."""

    q = forms.CharField(required=False, label="Search")
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Claim.Status.choices])
    type = forms.ChoiceField(required=False, choices=[("", "Any type"), *Claim.Type.choices])
    article = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    outlet = forms.CharField(required=False)
    speaker = forms.CharField(required=False)
    assignee = forms.CharField(required=False)  # a user id, or "none" for unassigned
    memory = forms.ChoiceField(
        required=False, choices=[("", "Any"), *MEMORY_FILTERS.items()], label="Desk memory"
    )
    score_min = forms.FloatField(required=False, min_value=0, max_value=1, label="Score ≥")
    score_max = forms.FloatField(required=False, min_value=0, max_value=1, label="Score ≤")
    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_basis = forms.ChoiceField(
        required=False,
        label="Dates are",
        choices=[("", "Article published"), ("extracted", "Claim extracted")],
    )
    dismissed = forms.ChoiceField(
        required=False,
        label="Dismissed",
        choices=[
            ("", "Hide dismissed"),
            ("include", "Show dismissed too"),
            ("only", "Only dismissed"),
        ],
    )
    sort = forms.ChoiceField(
        required=False,
        choices=[
            ("-score", "Highest score"),
            ("score", "Lowest score"),
            ("-date", "Newest article (published)"),
            ("date", "Oldest article (published)"),
            ("-extracted", "Newest extracted"),
            ("extracted", "Oldest extracted"),
        ],
    )

    def to_filters(self) -> ClaimFilters:
        """Valid fields become filters; an invalid field is ignored rather than failing."""
        self.is_valid()  # fills cleaned_data with the fields that are valid
        data = self.cleaned_data
        assignee = (data.get("assignee") or "").strip()
        sort = data.get("sort") or "-score"
        return ClaimFilters(
            status=data.get("status") or "",
            type=data.get("type") or "",
            article=data.get("article"),
            outlet=(data.get("outlet") or "").strip(),
            speaker=(data.get("speaker") or "").strip(),
            assignee=int(assignee) if assignee.isdigit() else None,
            unassigned=assignee == "none",
            q=(data.get("q") or "").strip(),
            score_min=data.get("score_min"),
            score_max=data.get("score_max"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            dismissed=data.get("dismissed") or "",
            date_basis="extracted" if data.get("date_basis") == "extracted" else "published",
            sort=sort if sort in SORTS else "-score",
            memory=data.get("memory") or "",
        )


class ClaimStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Claim.Status.choices)
    version = forms.IntegerField(min_value=1)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    source_url = forms.URLField(required=False, max_length=2000, assume_scheme="https")
    source_title = forms.CharField(required=False, max_length=500)
    counter_source = forms.BooleanField(required=False)


class ArticleUploadForm(forms.ModelForm):
    """Admin add form: paste the text or upload one file."""

    text = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 20, "cols": 100}),
        help_text="Paste the article. Without a title, its first line is the headline.",
    )
    upload = forms.FileField(
        required=False,
        help_text="Or upload a .txt, .md or .html file (HTML is reduced to its text).",
    )

    url = forms.URLField(required=False, max_length=2000, assume_scheme="https")

    class Meta:
        model = Article
        fields = ["title", "outlet", "url", "published_date"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.prepared: dict = {}

    def clean(self):
        data = super().clean()
        upload = data.get("upload")
        try:
            if upload and is_html_upload(upload.name):
                check_upload_size(upload)
                html = decode_text(upload.read(), name=upload.name)
                given = {key: data.get(key) for key in ("title", "outlet", "url", "published_date")}
                upload_item = HtmlUpload(name=upload.name, html=html, given=given)
                self.prepared = {"html_upload": upload_item}
                return data
            if upload:
                check_upload_size(upload)
                items = read_upload(upload.name, upload.read())
                if len(items) != 1:
                    raise UploadError("Use Bulk import for JSONL files that hold several articles.")
                item = items[0]
                if item.error:
                    raise UploadError(f"{item.name}: {item.error}")
                text, title = item.text, data.get("title") or item.title
                outlet, url = data.get("outlet") or item.outlet, data.get("url") or item.url
                published = data.get("published_date") or item.published_date
            elif (data.get("text") or "").strip():
                check_text_size(data["text"])
                text, title = data["text"], data.get("title") or ""
                outlet, url = data.get("outlet") or "", data.get("url") or ""
                published = data.get("published_date")
            else:
                raise UploadError("Paste the article's text or choose a file.")
            existing = article_duplicate_of(text=text, title=title)
        except UploadError as exc:
            raise forms.ValidationError(str(exc)) from None
        if existing:
            raise forms.ValidationError(
                f"This article is already stored as “{existing.title}” (article {existing.pk})."
            )
        self.prepared = {
            "text": text, "title": title, "outlet": outlet, "url": url, "published_date": published,
        }  # fmt: skip
        return data


def reviewer_choices() -> list[tuple[str, str]]:
    User = get_user_model()
    users = (
        User.objects.filter(is_active=True)
        .order_by(User.USERNAME_FIELD)
        .values_list("pk", User.USERNAME_FIELD)
    )
    return [("", "Anyone"), ("none", "Unassigned")] + [(str(pk), name) for pk, name in users]


def assignable_users():
    """Users who may review claims: the ones a desk chief can assign work to."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(groups__permissions__codename="change_claim")
            | Q(user_permissions__codename="change_claim")
        )
        .distinct()
        .order_by("username")
    )


class ClaimAssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        queryset=assignable_users(), required=False, empty_label="Unassigned"
    )


class ClaimBulkForm(forms.Form):
    """Desk chief's bulk action over the claims ticked in the queue (``claim`` = "id:version").

    ``assignee`` must be chosen: a user id, or "none" to unassign (an empty choice used to
    unassign silently). ``judged`` answers the confirmation that a status change over
    verified or disputed claims asks: "change" them too, or "skip" them.
    """

    action = forms.ChoiceField(choices=[("status", "Set status"), ("assign", "Assign")])
    status = forms.ChoiceField(required=False, choices=[("", "Status…"), *Claim.Status.choices])
    assignee = forms.CharField(required=False)
    note = forms.CharField(required=False, max_length=2000)
    judged = forms.ChoiceField(
        required=False, choices=[("", "Ask"), ("change", "Change"), ("skip", "Skip")]
    )

    @staticmethod
    def assignee_choices() -> list[tuple[str, str]]:
        users = [(str(u.pk), u.get_username()) for u in assignable_users()]
        return [("", "Assign to…"), ("none", "Unassigned"), *users]

    def clean(self):
        data = super().clean()
        versions: dict[int, int] = {}
        for value in self.data.getlist("claim") if hasattr(self.data, "getlist") else []:
            claim_id, _, version = str(value).partition(":")
            if claim_id.isdigit() and version.isdigit():
                versions[int(claim_id)] = int(version)
        if not versions:
            raise forms.ValidationError("Tick at least one claim.")
        if data.get("action") == "status" and not data.get("status"):
            raise forms.ValidationError("Choose the status to set.")
        if data.get("action") == "assign":
            data["assignee"] = self._assignee(data.get("assignee") or "")
        data["versions"] = versions
        return data

    def _assignee(self, raw: str):
        raw = raw.strip()
        if not raw:
            raise forms.ValidationError(
                "Choose who to assign the ticked claims to (or “Unassigned”)."
            )
        if raw == "none":
            return None
        user = assignable_users().filter(pk=int(raw)).first() if raw.isdigit() else None
        if user is None:
            raise forms.ValidationError("Choose someone who reviews claims.")
        return user


class ClaimRatingForm(forms.Form):
    rating = forms.IntegerField(min_value=1, error_messages={"required": "Choose a rating."})
    explanation = forms.CharField(max_length=300, label="Explanation")
    version = forms.IntegerField(min_value=1)


class ClaimCommentForm(forms.Form):
    body = forms.CharField(max_length=5000, label="Comment")


# --- corrections (claims/services/corrections.py) ----------------------------------------


class SelectionFields(forms.Form):
    """Text selected in the article: its offsets in the body, sent by the page's script,
    and the selected words, which the server checks against the body at those offsets."""

    start = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    selected_text = forms.CharField(required=False, max_length=5000, strip=False)

    def span(self) -> tuple[int | None, int | None, str] | None:
        data = self.cleaned_data
        if data.get("start") is None and not (data.get("selected_text") or "").strip():
            return None
        return data.get("start"), data.get("end"), data.get("selected_text") or ""


class ClaimDismissForm(forms.Form):
    reason = forms.ChoiceField(choices=Claim.Dismissal.choices, label="Why not a claim")
    version = forms.IntegerField(min_value=1)
    note = forms.CharField(required=False, max_length=2000)


class ClaimRestoreForm(forms.Form):
    version = forms.IntegerField(min_value=1)
    note = forms.CharField(required=False, max_length=2000)


class ClaimCorrectForm(SelectionFields):
    version = forms.IntegerField(min_value=1)
    type = forms.ChoiceField(choices=Claim.Type.choices)
    speaker = forms.CharField(required=False, max_length=200)
    quantities = forms.CharField(required=False, max_length=2000, widget=forms.Textarea)
    times = forms.CharField(required=False, max_length=2000, widget=forms.Textarea)
    note = forms.CharField(required=False, max_length=2000)


class ClaimAddForm(SelectionFields):
    type = forms.ChoiceField(choices=Claim.Type.choices, initial=Claim.Type.STATISTIC)
    speaker = forms.CharField(required=False, max_length=200)
    note = forms.CharField(required=False, max_length=2000)
