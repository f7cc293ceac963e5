#include "httpmessage.h"

#include <QStringDecoder>

#include <algorithm>
#include <cctype>

namespace expectlab {

namespace {
bool nameEquals(const QByteArray &a, QByteArrayView b)
{
    return a.compare(b, Qt::CaseInsensitive) == 0;
}

void appendVersion(QByteArray &out, const MessageHead &head)
{
    out += "HTTP/";
    out += QByteArray::number(head.versionMajor);
    out += '.';
    out += QByteArray::number(head.versionMinor);
}

void appendHeaders(QByteArray &out, const HttpHeaders &headers)
{
    for (const auto &[name, value] : headers) {
        out += name;
        out += ": ";
        out += value;
        out += "\r\n";
    }
    out += "\r\n";
}
} // namespace

std::optional<QByteArray> headerValue(const HttpHeaders &headers, QByteArrayView name)
{
    for (const auto &[n, v] : headers) {
        if (nameEquals(n, name))
            return v;
    }
    return std::nullopt;
}

std::optional<QByteArray> MessageHead::header(QByteArrayView name) const
{
    return headerValue(headers, name);
}

std::optional<QByteArray> MessageHead::combinedHeader(QByteArrayView name) const
{
    std::optional<QByteArray> result;
    for (const auto &[n, v] : headers) {
        if (!nameEquals(n, name))
            continue;
        if (result)
            *result += ", " + v;
        else
            result = v;
    }
    return result;
}

bool MessageHead::hasConnectionToken(QByteArrayView token) const
{
    const auto value = combinedHeader("Connection");
    if (!value)
        return false;
    for (const QByteArray &part : value->split(',')) {
        if (part.trimmed().compare(token, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

std::optional<qint64> MessageHead::contentLength() const
{
    const auto value = header("Content-Length");
    if (!value)
        return std::nullopt;
    bool ok = false;
    const qint64 n = value->trimmed().toLongLong(&ok);
    if (!ok || n < 0)
        return std::nullopt;
    return n;
}

bool MessageHead::contentLengthTooLarge() const
{
    const auto value = header("Content-Length");
    if (!value)
        return false;
    const QByteArray digits = value->trimmed();
    if (digits.isEmpty() || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return false;
    bool ok = false;
    digits.toLongLong(&ok);
    return !ok;
}

bool MessageHead::isChunked() const
{
    const auto value = combinedHeader("Transfer-Encoding");
    if (!value)
        return false;
    // RFC 9112 6.3: chunked must be the final coding.
    const QList<QByteArray> codings = value->split(',');
    return codings.last().trimmed().compare("chunked", Qt::CaseInsensitive) == 0;
}

bool MessageHead::announcesContent() const
{
    if (isChunked())
        return true;
    const auto length = contentLength();
    return (length && *length > 0) || contentLengthTooLarge();
}

QByteArray MessageHead::serializeRequest() const
{
    QByteArray out;
    out.reserve(256);
    out += method;
    out += ' ';
    out += target;
    out += ' ';
    appendVersion(out, *this);
    out += "\r\n";
    appendHeaders(out, headers);
    return out;
}

QByteArray MessageHead::serializeResponse() const
{
    QByteArray out;
    out.reserve(256);
    appendVersion(out, *this);
    out += ' ';
    out += QByteArray::number(status);
    out += ' ';
    out += reason.isEmpty() ? reasonPhrase(status) : reason;
    out += "\r\n";
    appendHeaders(out, headers);
    return out;
}

int removeHeader(HttpHeaders &headers, QByteArrayView name)
{
    return int(headers.removeIf([&](const HttpHeader &h) { return nameEquals(h.first, name); }));
}

void setHeader(HttpHeaders &headers, const QByteArray &name, const QByteArray &value)
{
    for (auto &h : headers) {
        if (nameEquals(h.first, name)) {
            h.second = value;
            return;
        }
    }
    headers.append({name, value});
}

bool isHttpToken(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (char c : text) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
        if (!ok)
            return false;
    }
    return true;
}

bool isValidHostValue(QByteArrayView value)
{
    qsizetype end = value.size();
    qsizetype portStart = -1;
    if (value.startsWith('[')) {
        // IP-literal: an IPv6 address (or IPvFuture) in brackets.
        const qsizetype close = value.indexOf(']');
        if (close < 2)
            return false;
        for (char c : value.sliced(1, close - 1)) {
            const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' ||
                            c == '.' || c == 'v' || c == 'V';
            if (!ok)
                return false;
        }
        if (close + 1 < value.size()) {
            if (value[close + 1] != ':')
                return false;
            portStart = close + 2;
        }
        end = close + 1;
    } else {
        const qsizetype colon = value.lastIndexOf(':');
        if (colon >= 0) {
            portStart = colon + 1;
            end = colon;
        }
        // reg-name = *( unreserved / pct-encoded / sub-delims )
        for (qsizetype i = 0; i < end; ++i) {
            const char c = value[i];
            const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                            QByteArrayView("-._~!$&'()*+,;=%").contains(c);
            if (!ok)
                return false;
            if (c == '%' &&
                (i + 2 >= end || !std::isxdigit(uchar(value[i + 1])) || !std::isxdigit(uchar(value[i + 2]))))
                return false;
        }
    }
    if (portStart >= 0) {
        for (char c : value.sliced(portStart)) {
            if (c < '0' || c > '9')
                return false;
        }
    }
    return true;
}

QString displayText(QByteArrayView bytes)
{
    if (std::all_of(bytes.begin(), bytes.end(), [](char c) { return uchar(c) < 0x80; }))
        return QString::fromLatin1(bytes);
    QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString text = utf8(bytes);
    return utf8.hasError() ? QString::fromLatin1(bytes) : text;
}

QByteArray reasonPhrase(int status)
{
    // RFC 9110 15 (and 6585, 8297, 8470, 2518 for 102): a status without one here says "Status".
    switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 102: return "Processing";
    case 103: return "Early Hints";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 203: return "Non-Authoritative Information";
    case 204: return "No Content";
    case 205: return "Reset Content";
    case 206: return "Partial Content";
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 407: return "Proxy Authentication Required";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 421: return "Misdirected Request";
    case 422: return "Unprocessable Content";
    case 425: return "Too Early";
    case 426: return "Upgrade Required";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Status";
    }
}

} // namespace expectlab
