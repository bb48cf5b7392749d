# Dateline's HTTP cache: Varnish with the xkey module (Debian: varnish, varnish-modules).
#
# Pages are kept as long as the application allows (Cache-Control s-maxage) and dropped the moment something
# on them changes: the application names what each page shows in its xkey header and, after every change,
# sends a PURGE request with the keys it touched in an xkey-purge header (HTTP_CACHE_PURGE_URLS).
# Readers with a session (staff, signed-in readers), a client that has just posted (dateline_wrote), the
# admin, previews, reader accounts and everything under /comments/ (posting a comment, the form token a
# story page's script fetches, flags) always reach the application. Story pages with a comment form are
# kept like any other page: the form carries no token of its own reader's.
#
# The application servers are declared in backends.vcl beside this file (see backends.vcl), so one copy of
# this file serves every layout: run varnishd with -p vcl_path=<folder with both files> -f dateline.vcl.
vcl 4.1;

import directors;
import std;
import xkey;

include "backends.vcl";

# Who may purge: the application servers. Add their addresses here on several machines.
acl purgers {
    "127.0.0.1";
    "::1";
    "10.0.0.0"/8;
}

sub vcl_recv {
    set req.backend_hint = apps.backend();
    # While an application server answers, a page past its time (or softly purged) is answered stale for at
    # most 10 s while one request renders it again; while none answers, kept pages are answered for hours
    # rather than an error (their grace, below).
    if (std.healthy(req.backend_hint)) {
        set req.grace = 10s;
    }

    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Not allowed to purge"));
        }
        if (!req.http.xkey-purge && !req.http.xkey-softpurge) {
            return (synth(400, "No xkey-purge or xkey-softpurge header"));
        }
        # xkey-purge: pages that must not be answered again (a story's own page after a correction).
        # xkey-softpurge: lists, marked stale and kept for their grace, so while one request renders the
        # new copy the others are answered from the old one instead of queueing behind it.
        set req.http.X-Purged = "0";
        if (req.http.xkey-purge) {
            set req.http.X-Purged = xkey.purge(req.http.xkey-purge);
        }
        if (req.http.xkey-softpurge) {
            set req.http.X-Purged = req.http.X-Purged + "+" + xkey.softpurge(req.http.xkey-softpurge);
        }
        return (synth(200, "Purged " + req.http.X-Purged));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.url ~ "^/(admin|preview|comments|accounts)/") {
        return (pass);
    }
    if (req.http.Cookie ~ "(^|;)\s*(sessionid|messages|dateline_wrote)=") {
        return (pass);
    }
    # Any other cookie (the form token's, a site statistics tool's) changes nothing a kept page shows.
    # The form token reaches a reader only from /comments/token/, passed above, never inside a kept page.
    unset req.http.Cookie;
    return (hash);
}

sub vcl_backend_response {
    if (beresp.status != 200 && beresp.status != 404) {
        # Redirects are cheap to answer; errors (503 while the database is away) must not be kept.
        set beresp.uncacheable = true;
        set beresp.ttl = 0s;
        return (deliver);
    }
    # A page that sets a cookie or says it is one reader's own is never kept.
    if (beresp.http.Set-Cookie || beresp.http.Cache-Control ~ "(private|no-cache|no-store)") {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    if (beresp.status == 404) {
        # Nothing names a page that does not exist yet: keep it briefly.
        set beresp.ttl = 10s;
    }
    # How long a kept page may still be answered past its time when no application server answers
    # (vcl_recv allows 10 s while one does). A hard purge removes it at once regardless.
    set beresp.grace = 6h;
}

sub vcl_deliver {
    # The keys are for caches; a reader has no use for them (Surrogate-Key stays, for a CDN further out).
    unset resp.http.xkey;
    if (obj.hits > 0) {
        set resp.http.X-Cache = "hit";
    } else {
        set resp.http.X-Cache = "miss";
    }
}
