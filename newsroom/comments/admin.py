"""The moderators' desk: the queue is the comment list, pending comments first.

Each row has one-click buttons (plain POST forms, so they work without
JavaScript) and the same decisions exist as bulk actions. All of them go through
``services`` so the moderator and the time are always recorded.
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from urllib.parse import urlsplit

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import connections
from django.db.models import Count, Q
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator, smart_split, unescape_string_literal

from newsroom.admin import OfferedSortsChangeList
from newsroom.models import Story
from newsroom.pagination import EstimatedCountPaginator

from . import services
from .forms import NetworkBanForm
from .models import BannedCommenter, Comment, CommentFlag, WordRule, pending_first
from .networks import describe, networks_holding
from .querysets import Status

EXCERPT_LENGTH = 160

# decision in the URL -> (service, past tense for the message, status the button is pointless in)
DECISIONS = {
    "approve": (services.approve, "Approved", Status.APPROVED),
    "reject": (services.reject, "Rejected", Status.REJECTED),
    "spam": (services.mark_spam, "Marked as spam", Status.SPAM),
}
BUTTON_LABELS = {"approve": "Approve", "reject": "Reject", "spam": "Spam", "ban": "Ban commenter"}


class AddressSearchMixin:
    """Searching for an address matches it exactly; other words never reach the address column.

    PostgreSQL stores addresses as ``inet`` and refuses to compare one with ordinary text.
    """

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        try:
            address = str(ipaddress.ip_address(term))
        except ValueError:
            return results, may_have_duplicates
        return results | queryset.filter(ip_address=address), may_have_duplicates


# pg_trgm indexes three-character pieces: a shorter word cannot be looked up, only scanned for.
SHORTEST_INDEXED_WORD = 3


def search_words(search_term: str) -> list[str]:
    """The words of a search as Django's admin reads them: split on spaces, "quoted phrases" kept whole."""
    words = []
    for bit in smart_split(search_term):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        if bit:
            words.append(bit)
    return words


# Up to this many stories whose title holds a searched word are matched by id; beyond it, by a join.
TITLE_MATCH_IDS = 500


class SubstringSearchMixin:
    """The queue's search, served by trigram indexes on PostgreSQL (migration 0004).

    Matches what Django's admin matches: every word somewhere in the comment's text, name or
    address, or in its story's title, in any case. The stories whose title holds a word are looked
    up first (from their own index) and matched by id, so each word is a condition on the comment
    row alone. PostgreSQL can then combine the three indexes for a rare word, or walk the list in
    its order and stop at a page for a common one. A join to the stories for the title, as Django
    builds it, rules out both and reads every comment.
    """

    def get_search_results(self, request, queryset, search_term):
        words = search_words(search_term)
        vendor = connections[queryset.db].vendor
        if vendor != "postgresql" or not words or any(len(word) < SHORTEST_INDEXED_WORD for word in words):
            return super().get_search_results(request, queryset, search_term)
        stories = Story.objects.using(queryset.db).order_by()
        for word in words:
            condition = Q(body__icontains=word) | Q(name__icontains=word) | Q(email__icontains=word)
            titled = list(stories.filter(title__icontains=word).values_list("pk", flat=True)[: TITLE_MATCH_IDS + 1])
            if len(titled) > TITLE_MATCH_IDS:
                condition |= Q(story__title__icontains=word)
            elif titled:
                condition |= Q(story_id__in=titled)
            queryset = queryset.filter(condition)
        return queryset, False


QUEUE_TABS = {
    Status.PENDING: "Awaiting moderation",
    "flagged": "Flagged by readers",
    Status.APPROVED: "Approved",
    Status.REJECTED: "Rejected",
    Status.SPAM: "Spam",
    "all": "All, pending first",
}
# The tabs that hold comments of one status only.
SINGLE_STATUS_TABS = {Status.PENDING, Status.APPROVED, Status.REJECTED, Status.SPAM}


def queue_tab(request) -> str:
    """The tab of the queue a request asks for; the pending queue unless it names another one."""
    value = request.GET.get(QueueFilter.parameter_name)
    return value if value in QUEUE_TABS else QueueFilter.default


class QueueFilter(admin.SimpleListFilter):
    """Opens on the queue (pending comments) rather than on everything."""

    title = "status"
    parameter_name = "status"
    default = Status.PENDING

    def lookups(self, request, model_admin):
        return list(QUEUE_TABS.items())

    def value(self):
        value = super().value()
        return value if value in QUEUE_TABS else self.default

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            if lookup == "flagged":
                # One small count, from the index of flagged comments; the other tabs are too big to count.
                title = f"{title} ({services.flagged_comment_count()})"
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value()
        if value == "all":
            return queryset
        if value == "flagged":
            return queryset.flagged()
        return queryset.filter(status=value)


class QueuePaginator(EstimatedCountPaginator):
    """Exact counts for the queue and the smaller tabs, estimates for the approved and all tabs.

    Counting one status reads only the queue index, a few milliseconds per hundred thousand comments,
    so the pending tab's total agrees with the "awaiting moderation" count above it.
    """

    exact_below = 200_000


class QueueChangeList(OfferedSortsChangeList):
    """The moderation list, with each commenter's record read in one query for the whole page.

    As annotations of the list query, the record would be counted for every row an OFFSET skips too:
    page 100 of the queue would count the comments of 5,000 commenters to show 50.
    """

    def get_results(self, request):
        super().get_results(request)
        comments = list(self.result_list)
        keys = {comment.commenter_key for comment in comments}
        record: dict[str, dict[str, int]] = defaultdict(dict)
        if keys:
            # Answered by the (commenter, status) index alone.
            counts = (
                Comment.objects.filter(commenter_key__in=keys)
                .order_by()
                .values_list("commenter_key", "status")
                .annotate(total=Count("*"))
            )
            for key, status, total in counts:
                record[key][status] = total
        for comment in comments:
            comment.record = record[comment.commenter_key]


class CommentFlagInline(admin.TabularInline):
    model = CommentFlag
    extra = 0
    can_delete = False
    fields = ("reason", "user", "ip_address", "created_at")
    readonly_fields = fields
    verbose_name_plural = "reader flags"

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Comment)
class CommentAdmin(AddressSearchMixin, SubstringSearchMixin, admin.ModelAdmin):
    list_title = "Comment queue"
    list_display = (
        "status_badge",
        "excerpt",
        "commenter",
        "history",
        "reason_held",
        "story_link",
        "posted",
    )
    list_display_links = ("excerpt",)
    list_filter = (QueueFilter,)
    list_select_related = ("story", "user")
    list_per_page = 50
    paginator = QueuePaginator
    # A second count of all two million comments beside every search is not worth its cost.
    show_full_result_count = False
    # Counts beside every tab would each count a good part of the table.
    show_facets = admin.ShowFacets.NEVER
    search_fields = ("body", "name", "email", "story__title")
    actions = ("approve_selected", "reject_selected", "spam_selected", "ban_selected")
    inlines = (CommentFlagInline,)
    change_form_template = "admin/comments/comment/change_form.html"
    fieldsets = (
        (None, {"fields": ("story_link", "commenter", "website", "created_at", "body_text")}),
        ("Moderation", {"fields": ("status", "reason_held", "reader_flags", "moderated_by", "moderated_at")}),
        ("Where it came from", {"classes": ("collapse",), "fields": ("user", "ip_address", "user_agent")}),
    )
    readonly_fields = (
        "story_link",
        "commenter",
        "website",
        "created_at",
        "body_text",
        "status",
        "reason_held",
        "reader_flags",
        "moderated_by",
        "moderated_at",
        "user",
        "ip_address",
        "user_agent",
    )

    class Media:
        css = {"all": ["comments/admin.css"]}

    def get_changelist(self, request, **kwargs):
        return QueueChangeList

    def get_ordering(self, request):
        if queue_tab(request) in SINGLE_STATUS_TABS:
            # Newest first, straight from the (status, posted) index.
            return ["-created_at"]
        # Pending first even when the moderator asks for every status, newest first within each;
        # the comment_pending_first index holds the list in this order.
        return [pending_first().asc(), "-created_at"]

    def get_sortable_by(self, request):
        # The list of every status keeps its one order; within a tab, by the time posted either way.
        return () if queue_tab(request) == "all" else ("posted",)

    def get_list_display(self, request):
        columns = list(super().get_list_display(request))
        if queue_tab(request) == QueueFilter.default:
            # Everything in the queue view is pending; the column would only take room from the text.
            columns.remove("status_badge")
        if self.has_change_permission(request):
            columns.append("ban_buttons" if self.has_ban_permission(request) else "buttons")
        return columns

    def has_add_permission(self, request) -> bool:
        # Comments come from readers, never from the admin.
        return False

    def has_ban_permission(self, request) -> bool:
        return self.has_change_permission(request) and request.user.has_perm("comments.add_bannedcommenter")

    # Columns.

    @admin.display(description="status", ordering="status")
    def status_badge(self, comment: Comment):
        return format_html(
            '<span class="comment-status comment-status--{}" title="{}">{}</span>',
            comment.status,
            comment.get_status_display(),
            comment.status.capitalize(),
        )

    @admin.display(description="posted", ordering="created_at")
    def posted(self, comment: Comment):
        moment = timezone.localtime(comment.created_at)
        return format_html(
            '<time datetime="{}" class="comment-posted">{}</time>',
            moment.isoformat(),
            date_format(moment, "j M Y, H:i"),
        )

    @admin.display(description="reader flags")
    def reader_flags(self, comment: Comment):
        if not comment.flag_count:
            return "—"
        return format_html(
            '<span class="comment-flagged">Flagged by readers ({})</span>',
            comment.flag_count,
        )

    @admin.display(description="comment")
    def excerpt(self, comment: Comment):
        text = Truncator(" ".join(comment.body.split())).chars(EXCERPT_LENGTH)
        return format_html('<span class="comment-excerpt">{}</span>', text)

    @admin.display(description="commenter", ordering="name")
    def commenter(self, comment: Comment):
        who = comment.user.get_username() if comment.user_id and comment.user else comment.email
        return format_html(
            '<bdi class="comment-commenter">{}</bdi><br><small>{}{}</small>',
            comment.name,
            "account " if comment.user_id else "",
            who or "—",
        )

    @admin.display(description="history")
    def history(self, comment: Comment):
        record = getattr(comment, "record", None)
        if record is None:
            return "—"
        parts = [f"{record.get(Status.APPROVED, 0)} approved", f"{record.get(Status.REJECTED, 0)} rejected"]
        if record.get(Status.SPAM):
            parts.append(f"{record[Status.SPAM]} spam")
        return format_html_join(" · ", '<span class="comment-history">{}</span>', ((part,) for part in parts))

    @admin.display(description="why held, flags")
    def reason_held(self, comment: Comment):
        reasons = comment.held_reasons
        if not reasons and not comment.flag_count:
            return "—"
        # The flag marker comes first: a flagged comment may be approved and on the site right now.
        return format_html(
            '{}<ul class="comment-reasons">{}</ul>',
            self.reader_flags(comment) if comment.flag_count else "",
            format_html_join("", "<li>{}</li>", ((r,) for r in reasons)),
        )

    @admin.display(description="story", ordering="story__title")
    def story_link(self, comment: Comment):
        story = comment.story
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            story.get_absolute_url(),
            Truncator(story.title).chars(80),
        )

    @admin.display(description="website")
    def website(self, comment: Comment):
        # Shown as text: a moderator should read an address before deciding to visit it.
        return comment.url or "—"

    @admin.display(description="comment")
    def body_text(self, comment: Comment):
        paragraphs = [p for p in comment.body.replace("\r\n", "\n").split("\n") if p.strip()]
        return format_html_join("", '<p class="comment-body">{}</p>', ((p,) for p in paragraphs))

    def _buttons(self, comment: Comment, *, ban: bool):
        decisions = [name for name, (_, _, status) in DECISIONS.items() if comment.status != status]
        if ban and (comment.user_id or comment.email):
            decisions.append("ban")
        buttons = self._decision_buttons(comment, decisions)
        if ban and comment.ip_address:
            # A separate page, never one click: the address may be shared by many readers.
            network = format_html(
                '<a class="comment-decision comment-decision--network" href="{}" aria-label="Ban the network '
                'of the comment by {}">Ban network…</a>',
                reverse("admin:comments_comment_ban_network", args=[comment.pk]),
                comment.name,
            )
            buttons = format_html("{} {}", buttons, network)
        return buttons

    def _decision_buttons(self, comment: Comment, decisions: list[str]):
        return format_html_join(
            " ",
            '<button type="submit" class="comment-decision comment-decision--{}" formaction="{}" '
            'formmethod="post" aria-label="{} comment by {}">{}</button>',
            (
                (
                    name,
                    reverse("admin:comments_comment_decide", args=[comment.pk, name]),
                    BUTTON_LABELS[name],
                    comment.name,
                    BUTTON_LABELS[name],
                )
                for name in decisions
            ),
        )

    @admin.display(description="decide")
    def buttons(self, comment: Comment):
        return format_html('<span class="comment-decisions">{}</span>', self._buttons(comment, ban=False))

    @admin.display(description="decide")
    def ban_buttons(self, comment: Comment):
        return format_html('<span class="comment-decisions">{}</span>', self._buttons(comment, ban=True))

    # One-click decisions.

    def get_urls(self):
        urls = [
            path(
                "<path:object_id>/decide/<slug:decision>/",
                self.admin_site.admin_view(self.decide_view),
                name="comments_comment_decide",
            ),
            path(
                "<path:object_id>/ban-network/",
                self.admin_site.admin_view(self.ban_network_view),
                name="comments_comment_ban_network",
            ),
        ]
        return urls + super().get_urls()

    def decide_view(self, request, object_id, decision):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if decision not in DECISIONS and decision != "ban":
            raise Http404("Unknown decision.")
        comment = self.get_object(request, unquote(object_id))
        if comment is None:
            raise Http404("No such comment.")
        if not self.has_change_permission(request, comment):
            raise PermissionDenied
        if decision == "ban":
            if not self.has_ban_permission(request):
                raise PermissionDenied
            try:
                ban = services.ban_commenter(comment=comment, moderator=request.user)
            except services.CannotBan as refusal:
                self.message_user(request, str(refusal), messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"Banned {ban}: {comment.name} can no longer comment; their waiting comments are rejected. "
                    "Their network is not banned.",
                    messages.SUCCESS,
                )
        else:
            service, done, _ = DECISIONS[decision]
            service(comments=[comment.pk], moderator=request.user)
            self.message_user(request, f"{done}: the comment by {comment.name}.", messages.SUCCESS)
        return HttpResponseRedirect(self._back_to_queue(request))

    def ban_network_view(self, request, object_id):
        """Confirm a network ban: which addresses, for how long, and who else has commented from there."""
        comment = self.get_object(request, unquote(object_id))
        if comment is None:
            raise Http404("No such comment.")
        if not self.has_ban_permission(request):
            raise PermissionDenied
        if not comment.ip_address:
            self.message_user(
                request, "This comment has no address recorded: there is no network to ban.", messages.ERROR
            )
            return HttpResponseRedirect(reverse("admin:comments_comment_changelist"))
        queue = self._back_to_queue(request) if request.method == "GET" else request.POST.get("back", "")
        if not url_has_allowed_host_and_scheme(queue, allowed_hosts={request.get_host()}):
            queue = reverse("admin:comments_comment_changelist")
        form = NetworkBanForm(
            request.POST if request.method == "POST" else None, initial={"network": comment.ip_address}
        )
        if request.method == "POST" and form.is_valid():
            ban = services.ban_network(
                network=form.cleaned_data["network"],
                days=form.cleaned_data["days"],
                reason=form.cleaned_data["reason"],
                moderator=request.user,
                comment=comment,
            )
            until = date_format(timezone.localtime(ban.expires_at), "j M Y, H:i")
            self.message_user(
                request,
                f"Banned {describe(ban.network)} until {until} and rejected the comment by {comment.name}. "
                "Other comments from there stay in the queue.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(queue)
        context = {
            **self.admin_site.each_context(request),
            "title": "Ban a network",
            "opts": self.opts,
            "comment": comment,
            "form": form,
            "recent": services.comments_from_address(comment.ip_address),
            "back": queue,
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        status = 400 if request.method == "POST" else 200
        return TemplateResponse(request, "admin/comments/comment/ban_network.html", context, status=status)

    def _back_to_queue(self, request) -> str:
        """Back to the queue page the moderator came from, filters and page kept."""
        queue = reverse("admin:comments_comment_changelist")
        referer = request.META.get("HTTP_REFERER", "")
        safe = url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()})
        if safe and urlsplit(referer).path == queue:
            return referer
        return queue

    # Bulk actions.

    @admin.action(description="Approve selected comments", permissions=["change"])
    def approve_selected(self, request, queryset):
        done = services.approve(comments=list(queryset.values_list("pk", flat=True)), moderator=request.user)
        self.message_user(request, f"Approved {done} comment{'s' if done != 1 else ''}.", messages.SUCCESS)

    @admin.action(description="Reject selected comments", permissions=["change"])
    def reject_selected(self, request, queryset):
        done = services.reject(comments=list(queryset.values_list("pk", flat=True)), moderator=request.user)
        self.message_user(request, f"Rejected {done} comment{'s' if done != 1 else ''}.", messages.SUCCESS)

    @admin.action(description="Mark selected comments as spam", permissions=["change"])
    def spam_selected(self, request, queryset):
        done = services.mark_spam(comments=list(queryset.values_list("pk", flat=True)), moderator=request.user)
        self.message_user(request, f"Marked {done} comment{'s' if done != 1 else ''} as spam.", messages.SUCCESS)

    @admin.action(description="Ban the commenters of selected comments", permissions=["ban"])
    def ban_selected(self, request, queryset):
        banned = set()
        unnamed = []
        for comment in queryset.select_related("user"):
            if comment.commenter_key in banned:
                continue
            try:
                services.ban_commenter(comment=comment, moderator=request.user)
            except services.CannotBan:
                unnamed.append(comment.name)
                continue
            banned.add(comment.commenter_key)
        self.message_user(
            request,
            f"Banned {len(banned)} commenter{'s' if len(banned) != 1 else ''} by account or email; "
            "no network was banned.",
            messages.SUCCESS,
        )
        if unnamed:
            self.message_user(
                request,
                f"Not banned, as they gave no email and have no account: {', '.join(unnamed)}. "
                "Use “Ban network…” on their comment to ban their network for a while.",
                messages.WARNING,
            )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "show_delete": False,
        }
        if object_id:
            comment = self.get_object(request, unquote(object_id))
            if comment is not None and self.has_change_permission(request, comment):
                extra_context["decision_buttons"] = self._buttons(comment, ban=self.has_ban_permission(request))
        return super().changeform_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "pending_count": services.pending_comment_count()}
        return super().changelist_view(request, extra_context)


@admin.register(WordRule)
class WordRuleAdmin(admin.ModelAdmin):
    list_display = ("phrase", "action", "note", "created_at")
    list_editable = ("action",)
    list_filter = ("action",)
    search_fields = ("phrase", "note")


class BanKindFilter(admin.SimpleListFilter):
    title = "bans"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [("person", "People (account or email)"), ("network", "Networks (address or range)")]

    def queryset(self, request, queryset):
        if self.value() == "person":
            return queryset.filter(network="")
        if self.value() == "network":
            return queryset.exclude(network="")
        return queryset


class BanInForceFilter(admin.SimpleListFilter):
    title = "in force"
    parameter_name = "in_force"

    def lookups(self, request, model_admin):
        return [("yes", "In force"), ("no", "Ended")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.in_force()
        if self.value() == "no":
            return queryset.exclude(pk__in=BannedCommenter.objects.in_force().values("pk"))
        return queryset


@admin.register(BannedCommenter)
class BannedCommenterAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "email", "user", "network", "ends", "reason", "banned_by", "created_at")
    list_filter = (BanKindFilter, BanInForceFilter)
    list_select_related = ("user", "banned_by")
    search_fields = ("email", "user__username", "network", "reason")
    raw_id_fields = ("user",)
    readonly_fields = ("banned_by", "created_at")
    fieldsets = (
        ("A person", {"fields": ("user", "email")}),
        ("Or a network", {"fields": ("network",)}),
        (None, {"fields": ("expires_at", "reason", "banned_by", "created_at")}),
    )

    @admin.display(description="bans")
    def kind(self, ban: BannedCommenter) -> str:
        return "network" if ban.is_network_ban else "person"

    @admin.display(description="ends", ordering="expires_at")
    def ends(self, ban: BannedCommenter):
        if ban.expires_at is None:
            return "when lifted"
        moment = timezone.localtime(ban.expires_at)
        ended = " (ended)" if ban.expires_at <= timezone.now() else ""
        return f"{date_format(moment, 'j M Y, H:i')}{ended}"

    def get_search_results(self, request, queryset, search_term):
        # An address finds the network bans that hold it, as well as the text matches.
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        held_in = networks_holding(search_term.strip())
        if held_in:
            results = results | queryset.filter(network__in=held_in)
        return results, may_have_duplicates

    def save_model(self, request, obj, form, change):
        if not change:
            obj.banned_by = request.user
        super().save_model(request, obj, form, change)
