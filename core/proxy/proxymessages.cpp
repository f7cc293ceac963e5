#include "proxymessages.h"

#include <QHostAddress>

namespace expectlab {

namespace {
QList<QByteArray> connectionTokens(const HttpHeaders &headers)
{
    QList<QByteArray> tokens;
    for (const auto &[name, value] : headers) {
        if (name.compare("Connection", Qt::CaseInsensitive) != 0)
            continue;
        for (const QByteArray &token : value.split(','))
            tokens.append(token.trimmed().toLower());
    }
    return tokens;
}
} // namespace

QUrl originOf(const QUrl &url)
{
    QUrl origin;
    origin.setScheme(url.scheme());
    origin.setHost(url.host());
    origin.setPort(url.port(url.scheme() == QLatin1String("https") ? 443 : 80));
    return origin;
}

QByteArray authorityOf(const QUrl &url)
{
    QByteArray host = url.host(QUrl::FullyEncoded).toLatin1();
    if (host.contains(':'))
        host = '[' + host + ']';
    const int defaultPort = url.scheme() == QLatin1String("https") ? 443 : 80;
    if (url.port() > 0 && url.port() != defaultPort)
        host += ':' + QByteArray::number(url.port());
    return host;
}

QByteArray originFormTarget(const QUrl &url)
{
    QByteArray target = url.path(QUrl::FullyEncoded).toLatin1();
    if (target.isEmpty())
        target = "/";
    if (url.hasQuery())
        target += '?' + url.query(QUrl::FullyEncoded).toLatin1();
    return target;
}

bool isLoopbackHost(const QString &host)
{
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

HttpHeaders withoutHopByHop(const HttpHeaders &headers)
{
    static const QList<QByteArray> kHopByHop{"connection", "keep-alive", "proxy-connection", "te", "upgrade"};
    const QList<QByteArray> named = connectionTokens(headers);
    HttpHeaders kept;
    for (const HttpHeader &field : headers) {
        const QByteArray lower = field.first.toLower();
        if (kHopByHop.contains(lower) || named.contains(lower))
            continue;
        kept.append(field);
    }
    return kept;
}

HttpHeader viaField(const MessageHead &received)
{
    return HttpHeader("Via", QByteArray::number(received.versionMajor) + '.' +
                                 QByteArray::number(received.versionMinor) + " expectlab");
}

MessageHead relayedInterim(const MessageHead &upstream)
{
    MessageHead head;
    head.status = upstream.status;
    head.reason = upstream.reason;
    head.headers = withoutHopByHop(upstream.headers);
    return head;
}

MessageHead relayedFinal(const MessageHead &upstream, const MessageHead &request)
{
    MessageHead head;
    head.status = upstream.status;
    head.reason = upstream.reason;
    head.headers = withoutHopByHop(upstream.headers);
    if (request.isHttp10() && upstream.isChunked())
        removeHeader(head.headers, "Transfer-Encoding");
    head.headers.append(viaField(upstream));
    return head;
}

} // namespace expectlab
