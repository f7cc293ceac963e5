#include "proxymode.h"

#include <QCoreApplication>

namespace expectlab {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("ProxyMode", text);
}

QList<ProxyModeInfo> makeModes()
{
    return {
        {ProxyMode::Transparent, QStringLiteral("transparent"),
         tr("forwards Expect, holds the client's body until the upstream sends 100 or a final, relays every 1xx "
            "and the final exactly: the origin's decision reaches the client intact"),
         QString(), tr("RFC 9110 10.1.1 (a proxy forwards the head inbound) and 15.2 (a proxy forwards 1xx)"),
         QStringLiteral("R13")},
        {ProxyMode::Answer100, QStringLiteral("answer-100"),
         tr("sends its own 100 at once, strips Expect upstream and streams the body: the origin can never refuse "
            "early"),
         tr("Envoy (default), Varnish, mitmproxy, HTTP Toolkit"),
         tr("envoyproxy/envoy#2325 (PR #2497), istio/istio#36278, mitmproxy#1721"), QStringLiteral("R13")},
        {ProxyMode::Buffer, QStringLiteral("buffer"),
         tr("sends its own 100 at once, reads the whole body, then sends the request upstream without Expect"),
         tr("nginx with proxy_request_buffering on (the default), HAProxy option http-buffer-request / "
            "wait-for-body"),
         tr("nginx mailing list 2021-May/060643, haproxy/haproxy#3316"), QStringLiteral("R13")},
        {ProxyMode::RejectExpect, QStringLiteral("reject-expect"),
         tr("answers 417 to any Expect without contacting the upstream"), tr("Squid 2.7, old lighttpd"),
         tr("EmpireProject/Empire#55, asciinema/asciinema#33 (Squid's ignore_expect_100)"), QStringLiteral("R6")},
        {ProxyMode::Http10Upstream, QStringLiteral("http10-upstream"),
         tr("speaks HTTP/1.0 to the upstream, so Expect cannot pass; answers 100 itself"),
         tr("Apache mod_proxy with force-proxy-request-1.0"), tr("apache/httpd PR #319"), QStringLiteral("R13")},
        {ProxyMode::Double100, QStringLiteral("double-100"),
         tr("sends its own 100 at once, forwards Expect and then relays the origin's 100 as well: two 100s"),
         tr("Traefik 1.4.5, Caddy 2.6"), tr("traefik/traefik#2899, caddyserver/caddy#5280"), QStringLiteral("R17")},
        {ProxyMode::StripExpect, QStringLiteral("strip-expect"),
         tr("removes Expect upstream and sends no 100: the client waits out its own timer"),
         tr("proxies that drop the field without answering it"), tr("RFC 9110 10.1.1 (R5: an HTTP/1.0 hop)"),
         QStringLiteral("R5")},
    };
}
} // namespace

QList<ProxyModeInfo> proxyModes()
{
    static const QList<ProxyModeInfo> modes = makeModes();
    return modes;
}

const ProxyModeInfo &proxyModeInfo(ProxyMode mode)
{
    static const QList<ProxyModeInfo> modes = makeModes();
    for (const ProxyModeInfo &m : modes) {
        if (m.mode == mode)
            return m;
    }
    return modes.first();
}

QString proxyModeName(ProxyMode mode)
{
    return proxyModeInfo(mode).name;
}

QStringList proxyModeNames()
{
    QStringList names;
    for (const ProxyModeInfo &m : proxyModes())
        names << m.name;
    return names;
}

std::optional<ProxyMode> parseProxyMode(const QString &text, QString *error)
{
    for (const ProxyModeInfo &m : proxyModes()) {
        if (m.name.compare(text.trimmed(), Qt::CaseInsensitive) == 0)
            return m.mode;
    }
    if (error)
        *error = tr("unknown proxy mode '%1': give one of %2").arg(text, proxyModeNames().join(QStringLiteral(", ")));
    return std::nullopt;
}

} // namespace expectlab
