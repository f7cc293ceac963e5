#include "requestcheck.h"

#include <QCoreApplication>

namespace expectlab {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("RequestCheck", text);
}

RequestProblem badRequest(const QString &reason, const QString &rule)
{
    return {400, QStringLiteral("bad_request"), reason, rule, ErrorKind::MalformedRequest};
}
} // namespace

std::optional<RequestProblem> checkRequestHead(const MessageHead &head, bool tunnelsAllowed)
{
    if (head.versionMajor == 0)
        return badRequest(tr("a request line without an HTTP version (HTTP/0.9 style) has no header fields"),
                          QStringLiteral("RFC 9112 2.3"));
    if (head.versionMajor != 1) {
        return RequestProblem{505, QStringLiteral("http_version_not_supported"),
                              tr("HTTP/%1.%2 in an HTTP/1.x request line: this server speaks HTTP/1.0 and HTTP/1.1")
                                  .arg(head.versionMajor)
                                  .arg(head.versionMinor),
                              QStringLiteral("RFC 9110 15.6.6"), ErrorKind::MalformedRequest};
    }
    QList<QByteArray> hosts;
    for (const auto &[name, value] : head.headers) {
        if (name.compare("Host", Qt::CaseInsensitive) == 0)
            hosts.append(value);
    }
    const QString hostRule = QStringLiteral("RFC 9112 3.2");
    if (hosts.size() > 1)
        return badRequest(tr("%1 Host fields: a request has exactly one").arg(hosts.size()), hostRule);
    if (hosts.isEmpty() && !head.isHttp10())
        return badRequest(tr("no Host field: an HTTP/1.1 request must have one"), hostRule);
    if (!hosts.isEmpty() && !isValidHostValue(hosts.first()))
        return badRequest(tr("invalid Host '%1'").arg(displayText(hosts.first())), hostRule);
    if (const auto te = head.combinedHeader("Transfer-Encoding"); te && !head.isChunked()) {
        return badRequest(tr("Transfer-Encoding '%1' does not end with chunked: the body's length cannot be known")
                              .arg(displayText(*te)),
                          QStringLiteral("RFC 9112 6.3"));
    }
    if (head.contentLengthTooLarge()) {
        return RequestProblem{413, QStringLiteral("content_too_large"),
                              tr("Content-Length %1 is more than 2^63-1 bytes: more than anyone can send")
                                  .arg(displayText(head.header("Content-Length").value_or(QByteArray()).trimmed())),
                              QStringLiteral("R11"), ErrorKind::BodyTooLarge};
    }
    if (head.method == "CONNECT" && !tunnelsAllowed) {
        return RequestProblem{501, QStringLiteral("not_implemented"),
                              tr("CONNECT asks for a tunnel: this test server is not a proxy"),
                              QStringLiteral("RFC 9110 9.3.6"), ErrorKind::MalformedRequest};
    }
    return std::nullopt;
}

} // namespace expectlab
