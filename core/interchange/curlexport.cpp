// Copy as curl: the command that makes curl send the request head ExpectLab would.
#include "curlcommand.h"

#include "serverpolicy.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QStringDecoder>

namespace expectlab {

namespace {
// The generated body's alphabet (bodysource.cpp): `yes` repeats it, `tr` joins the lines, so the
// exported command sends the very same bytes.
const QString kPattern = QStringLiteral("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ+/");

QString seconds(int ms)
{
    QString s = QString::number(double(ms) / 1000.0, 'f', 3);
    while (s.endsWith(QLatin1Char('0')))
        s.chop(1);
    if (s.endsWith(QLatin1Char('.')))
        s.chop(1);
    return s;
}

// printf format that writes these bytes exactly: octal escapes for anything not plainly printable.
QString printfFormat(const QByteArray &bytes)
{
    QString out;
    for (char ch : bytes) {
        const auto c = static_cast<unsigned char>(ch);
        if (c >= 0x20 && c < 0x7f && c != '\\' && c != '%' && c != '\'')
            out += QLatin1Char(char(c));
        else
            out += QStringLiteral("\\%1").arg(uint(c), 3, 8, QLatin1Char('0'));
    }
    return out;
}

bool isValidUtf8(const QByteArray &bytes)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    [[maybe_unused]] const QString text = decoder.decode(bytes);
    return !decoder.hasError();
}

} // namespace

QString curlCommandFor(const ClientRequest &request, const CurlExportOptions &options)
{
    QStringList prefix; // a pipeline stage that feeds the body on standard input
    QStringList args{QStringLiteral("curl")};
    auto opt = [&args](const QString &name, const QString &value = QString()) {
        args << (value.isNull() ? name : name + QLatin1Char(' ') + shellQuote(value));
    };
    opt(QStringLiteral("--http1.1"));

    const BodySpec &body = request.body;
    const QByteArray method = request.effectiveMethod();
    const QByteArray curlDefault = body.hasBody() ? QByteArrayLiteral("POST") : QByteArrayLiteral("GET");
    if (method == "HEAD" && !body.hasBody())
        opt(QStringLiteral("-I"));
    else if (method != curlDefault)
        opt(QStringLiteral("-X"), QString::fromLatin1(method));

    bool userContentType = false;
    for (const auto &[name, value] : request.headers) {
        // Framing and Expect are the client's to set (clientexchange.cpp buildHead does the same).
        if (name.compare("Content-Length", Qt::CaseInsensitive) == 0 ||
            name.compare("Transfer-Encoding", Qt::CaseInsensitive) == 0 ||
            name.compare("Expect", Qt::CaseInsensitive) == 0)
            continue;
        if (name.compare("Content-Type", Qt::CaseInsensitive) == 0)
            userContentType = true;
        // curl reads "Name:" as "remove the header"; "Name;" is its spelling of an empty value.
        opt(QStringLiteral("-H"),
            value.isEmpty() ? QString::fromLatin1(name) + QLatin1Char(';') : QString::fromLatin1(name + ": " + value));
    }
    if (body.hasBody() && !userContentType)
        opt(QStringLiteral("-H"), QStringLiteral("Content-Type:")); // curl's -d default would add one
    if (body.hasBody() && request.chunked)
        opt(QStringLiteral("-H"), QStringLiteral("Transfer-Encoding: chunked"));

    const QByteArray expect = request.expectToSend();
    if (!expect.isEmpty()) {
        opt(QStringLiteral("-H"), QStringLiteral("Expect: ") + QString::fromLatin1(expect));
        if (isContinueExpectation(expect) && request.expectTimeoutMs != ClientRequest::kDefaultExpectTimeoutMs)
            opt(QStringLiteral("--expect100-timeout"), seconds(request.expectTimeoutMs));
    } else if (body.hasBody()) {
        opt(QStringLiteral("-H"), QStringLiteral("Expect:"));
    }
    if (request.timeoutMs != ClientRequest::kDefaultTimeoutMs)
        opt(QStringLiteral("--max-time"), seconds(request.timeoutMs));

    switch (body.kind) {
    case BodySpec::Kind::None: break;
    case BodySpec::Kind::Text:
        if (body.text.contains('\0') || !isValidUtf8(body.text)) {
            // No argument can carry a NUL byte, nor bytes that are not text: printf writes them.
            prefix << QStringLiteral("printf %1 |").arg(shellQuote(printfFormat(body.text)));
            opt(QStringLiteral("--data-binary"), QStringLiteral("@-"));
        } else {
            // --data-raw never reads a file, even for text starting with '@'.
            opt(body.text.startsWith('@') ? QStringLiteral("--data-raw") : QStringLiteral("--data-binary"),
                QString::fromUtf8(body.text));
        }
        break;
    case BodySpec::Kind::File:
        // --data-binary @FILE rather than -T: -T appends the file name to a URL ending in '/'.
        opt(QStringLiteral("--data-binary"), QLatin1Char('@') + body.filePath);
        break;
    case BodySpec::Kind::Generated:
        prefix << QStringLiteral("yes %1 | tr -d '\\n' | head -c %2 |").arg(kPattern).arg(body.generatedSize);
        opt(QStringLiteral("--data-binary"), QStringLiteral("@-"));
        break;
    }
    args << shellQuote(request.url.toString(QUrl::FullyEncoded));

    const QString separator = options.multiline ? QStringLiteral(" \\\n  ") : QStringLiteral(" ");
    QString command = args.join(separator);
    if (!prefix.isEmpty())
        command = prefix.join(QLatin1Char(' ')) + separator + command;
    return command;
}

ClientRequest requestFromSummary(const ExchangeSummary &summary)
{
    ClientRequest r;
    r.url = summary.url;
    const QString authority = summary.url.authority(QUrl::FullyEncoded);
    QByteArray expectValue;
    bool hasFraming = false;
    for (const auto &[name, value] : summary.requestHeaders) {
        if (name.compare("Host", Qt::CaseInsensitive) == 0 && value == authority.toLatin1())
            continue;
        if (name.compare("User-Agent", Qt::CaseInsensitive) == 0 && value.startsWith("ExpectLab/"))
            continue;
        if (name.compare("Accept", Qt::CaseInsensitive) == 0 && value == "*/*")
            continue;
        if (name.compare("Content-Length", Qt::CaseInsensitive) == 0) {
            hasFraming = true;
            continue;
        }
        if (name.compare("Transfer-Encoding", Qt::CaseInsensitive) == 0) {
            hasFraming = true;
            r.chunked = value.toLower().contains("chunked");
            continue;
        }
        if (name.compare("Expect", Qt::CaseInsensitive) == 0) {
            expectValue = value;
            continue;
        }
        r.headers.append({name, value});
    }

    if (summary.bodyBytes > 0 || hasFraming) {
        r.body.kind = BodySpec::Kind::Generated;
        r.body.generatedSize = summary.bodyBytes;
        // The recorded bytes when the wire log kept the whole body.
        for (const WireLog &log : summary.wireLogs) {
            for (const WireLog::Record &rec : log.records()) {
                if (rec.direction == WireLog::Direction::Sent && rec.body && !r.chunked &&
                    rec.byteCount == summary.bodyBytes && !rec.truncated()) {
                    r.body.kind = BodySpec::Kind::Text;
                    r.body.text = rec.bytes;
                }
            }
            break; // the first attempt only
        }
    }
    r.method = summary.method == r.effectiveMethod() ? QByteArray() : summary.method;

    if (expectValue.isEmpty()) {
        r.expect = r.body.hasBody() ? ClientRequest::ExpectMode::Off : ClientRequest::ExpectMode::Default;
    } else if (isContinueExpectation(expectValue)) {
        r.expect = r.body.hasBody() ? ClientRequest::ExpectMode::Default : ClientRequest::ExpectMode::On;
    } else {
        r.expect = ClientRequest::ExpectMode::Custom;
        r.expectValue = expectValue;
    }
    // What the recording tells about the client's settings.
    for (const TimelineEvent &e : summary.events) {
        if (e.kind == EventKind::HeadSent) {
            for (const TimelineEvent &t : summary.events) {
                if (t.kind == EventKind::ExpectTimeout && t.tNs >= e.tNs) {
                    r.expectTimeoutMs = int((t.tNs - e.tNs + 500'000) / 1'000'000);
                    break;
                }
            }
            break;
        }
    }
    if (summary.finalStatus == 417 && summary.expectSent && !summary.retried)
        r.retryWithoutExpect = false;
    return r;
}

} // namespace expectlab
