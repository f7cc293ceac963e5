// Paste a curl command: a command line as DevTools, Postman or our own export write it, read into
// a request for the composer.
#include "curlcommand.h"

#include "expectfield.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QUrlQuery>

namespace expectlab {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("CurlCommand", text);
}
} // namespace

namespace {
// What a pipeline stage before curl writes to its standard input, when we can tell.
struct StdinSource
{
    BodySpec body;
    bool known = false;
};

QByteArray printfBytes(const QString &format)
{
    QByteArray out;
    const QByteArray f = format.toUtf8();
    for (qsizetype i = 0; i < f.size(); ++i) {
        const char c = f.at(i);
        if (c == '%' && i + 1 < f.size() && f.at(i + 1) == '%') {
            out += '%';
            ++i;
        } else if (c == '\\' && i + 1 < f.size()) {
            const char e = f.at(++i);
            if (e >= '0' && e <= '7') {
                int v = e - '0';
                for (int k = 0; k < 2 && i + 1 < f.size() && f.at(i + 1) >= '0' && f.at(i + 1) <= '7'; ++k)
                    v = v * 8 + (f.at(++i) - '0');
                out += char(v & 0xff);
            } else {
                switch (e) {
                case 'n': out += '\n'; break;
                case 't': out += '\t'; break;
                case 'r': out += '\r'; break;
                case '\\': out += '\\'; break;
                default: out += '\\'; out += e;
                }
            }
        } else {
            out += c;
        }
    }
    return out;
}

StdinSource stdinOf(const QList<QStringList> &stages)
{
    StdinSource src;
    if (stages.isEmpty())
        return src;
    const QStringList &last = stages.last();
    const QString program = last.value(0).section(QLatin1Char('/'), -1);
    if (program == QLatin1String("head") && last.size() >= 3 && last.at(1) == QLatin1String("-c")) {
        bool ok = false;
        const qint64 n = last.at(2).toLongLong(&ok);
        if (ok && n >= 0) {
            src.body.kind = BodySpec::Kind::Generated;
            src.body.generatedSize = n;
            src.known = true;
        }
    } else if (program == QLatin1String("printf") && last.size() == 2) {
        src.body.kind = BodySpec::Kind::Text;
        src.body.text = printfBytes(last.at(1));
        src.known = true;
    } else if (program == QLatin1String("echo") && stages.size() == 1) {
        QStringList words = last.mid(1);
        const bool noNewline = !words.isEmpty() && words.first() == QLatin1String("-n");
        if (noNewline)
            words.removeFirst();
        src.body.kind = BodySpec::Kind::Text;
        src.body.text = words.join(QLatin1Char(' ')).toUtf8() + (noNewline ? "" : "\n");
        src.known = true;
    } else if (program == QLatin1String("cat") && last.size() == 2 && stages.size() == 1) {
        src.body.kind = BodySpec::Kind::File;
        src.body.filePath = last.at(1);
        src.known = true;
    }
    return src;
}

struct DataPart
{
    enum class Kind { Text, File, Stdin };
    Kind kind = Kind::Text;
    QByteArray text;
    QString path;
};

bool takesArgument(const QString &longName)
{
    static const QStringList withArg{
        QStringLiteral("request"),
        QStringLiteral("header"),
        QStringLiteral("data"),
        QStringLiteral("data-ascii"),
        QStringLiteral("data-binary"),
        QStringLiteral("data-raw"),
        QStringLiteral("data-urlencode"),
        QStringLiteral("upload-file"),
        QStringLiteral("user-agent"),
        QStringLiteral("referer"),
        QStringLiteral("cookie"),
        QStringLiteral("user"),
        QStringLiteral("max-time"),
        QStringLiteral("url"),
        QStringLiteral("expect100-timeout"),
        QStringLiteral("output"),
        QStringLiteral("write-out"),
        QStringLiteral("proxy"),
        QStringLiteral("range"),
        QStringLiteral("dump-header"),
        QStringLiteral("cookie-jar"),
        QStringLiteral("form"),
        QStringLiteral("form-string"),
        QStringLiteral("config"),
        QStringLiteral("cert"),
        QStringLiteral("key"),
        QStringLiteral("cacert"),
        QStringLiteral("connect-timeout"),
        QStringLiteral("retry"),
        QStringLiteral("retry-delay"),
        QStringLiteral("retry-max-time"),
        QStringLiteral("resolve"),
        QStringLiteral("connect-to"),
        QStringLiteral("limit-rate"),
        QStringLiteral("max-redirs"),
        QStringLiteral("interface"),
        QStringLiteral("local-port"),
        QStringLiteral("unix-socket"),
        QStringLiteral("trace"),
        QStringLiteral("trace-ascii"),
        QStringLiteral("stderr"),
        QStringLiteral("oauth2-bearer"),
        QStringLiteral("keepalive-time"),
        QStringLiteral("speed-limit"),
        QStringLiteral("speed-time"),
        QStringLiteral("continue-at"),
        QStringLiteral("time-cond"),
        QStringLiteral("cert-type"),
        QStringLiteral("key-type"),
        QStringLiteral("pass"),
        QStringLiteral("ciphers"),
        QStringLiteral("proxy-user"),
        QStringLiteral("url-query"),
        QStringLiteral("json"),
        QStringLiteral("variable"),
        QStringLiteral("header-file"),
    };
    return withArg.contains(longName);
}

QString longNameOf(QChar shortName)
{
    switch (shortName.toLatin1()) {
    case 'X': return QStringLiteral("request");
    case 'H': return QStringLiteral("header");
    case 'd': return QStringLiteral("data");
    case 'T': return QStringLiteral("upload-file");
    case 'A': return QStringLiteral("user-agent");
    case 'e': return QStringLiteral("referer");
    case 'b': return QStringLiteral("cookie");
    case 'u': return QStringLiteral("user");
    case 'm': return QStringLiteral("max-time");
    case 'o': return QStringLiteral("output");
    case 'w': return QStringLiteral("write-out");
    case 'x': return QStringLiteral("proxy");
    case 'r': return QStringLiteral("range");
    case 'D': return QStringLiteral("dump-header");
    case 'c': return QStringLiteral("cookie-jar");
    case 'F': return QStringLiteral("form");
    case 'K': return QStringLiteral("config");
    case 'E': return QStringLiteral("cert");
    case 'C': return QStringLiteral("continue-at");
    case 'z': return QStringLiteral("time-cond");
    case 'Y': return QStringLiteral("speed-limit");
    case 'y': return QStringLiteral("speed-time");
    case 'U': return QStringLiteral("proxy-user");
    case 'G': return QStringLiteral("get");
    case 'I': return QStringLiteral("head");
    case '0': return QStringLiteral("http1.0");
    case 's': return QStringLiteral("silent");
    case 'S': return QStringLiteral("show-error");
    case 'v': return QStringLiteral("verbose");
    case 'i': return QStringLiteral("include");
    case 'k': return QStringLiteral("insecure");
    case 'L': return QStringLiteral("location");
    case 'f': return QStringLiteral("fail");
    case 'N': return QStringLiteral("no-buffer");
    case 'g': return QStringLiteral("globoff");
    case 'n': return QStringLiteral("netrc");
    case '#': return QStringLiteral("progress-bar");
    case '1': return QStringLiteral("tlsv1");
    case '4': return QStringLiteral("ipv4");
    case '6': return QStringLiteral("ipv6");
    default: return QString();
    }
}

// Output and transport options with no bearing on the request head.
bool isHarmless(const QString &name)
{
    static const QStringList names{
        QStringLiteral("silent"),
        QStringLiteral("show-error"),
        QStringLiteral("verbose"),
        QStringLiteral("include"),
        QStringLiteral("insecure"),
        QStringLiteral("fail"),
        QStringLiteral("fail-with-body"),
        QStringLiteral("no-buffer"),
        QStringLiteral("globoff"),
        QStringLiteral("progress-bar"),
        QStringLiteral("no-progress-meter"),
        QStringLiteral("output"),
        QStringLiteral("write-out"),
        QStringLiteral("dump-header"),
        QStringLiteral("trace"),
        QStringLiteral("trace-ascii"),
        QStringLiteral("stderr"),
        QStringLiteral("http1.1"),
        QStringLiteral("ipv4"),
        QStringLiteral("path-as-is"),
        QStringLiteral("raw"),
        QStringLiteral("tcp-nodelay"),
        QStringLiteral("remote-name"),
        QStringLiteral("remote-header-name"),
        QStringLiteral("create-dirs"),
        QStringLiteral("show-headers"),
    };
    return names.contains(name);
}

QByteArray urlEncodeData(const QString &arg)
{
    // curl's forms: "content", "=content", "name=content" (name kept, content encoded).
    const qsizetype eq = arg.indexOf(QLatin1Char('='));
    if (eq < 0)
        return QUrl::toPercentEncoding(arg);
    if (eq == 0)
        return QUrl::toPercentEncoding(arg.mid(1));
    return arg.left(eq).toUtf8() + '=' + QUrl::toPercentEncoding(arg.mid(eq + 1));
}

int secondsToMs(const QString &text, bool *ok)
{
    const double s = text.toDouble(ok);
    if (!*ok || s < 0 || s > 86400.0 * 365) {
        *ok = false;
        return 0;
    }
    return int(s * 1000.0 + 0.5);
}
} // namespace

std::optional<CurlParseResult> parseCurlCommand(const QString &text, QString *error)
{
    auto fail = [error](const QString &message) -> std::optional<CurlParseResult> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    QString splitError;
    const auto words = splitShellWords(text, &splitError);
    if (!words)
        return fail(splitError);

    QList<QStringList> stages{{}};
    for (const QString &w : *words) {
        if (w == QLatin1String("|"))
            stages.append(QStringList());
        else
            stages.last() << w;
    }
    qsizetype curlStage = -1;
    for (qsizetype i = 0; i < stages.size(); ++i) {
        const QString program = stages.at(i).value(0).section(QLatin1Char('/'), -1);
        if (program == QLatin1String("curl") || program == QLatin1String("curl.exe")) {
            curlStage = i;
            break;
        }
    }
    if (curlStage < 0)
        return fail(tr("not a curl command: no word 'curl' found"));
    const QStringList args = stages.at(curlStage).mid(1);
    const StdinSource stdinSource = stdinOf(stages.mid(0, curlStage));

    CurlParseResult result;
    ClientRequest &r = result.request;
    QStringList &warnings = result.warnings;
    QString url;
    QByteArray method;
    QList<DataPart> data;
    bool dataIsForm = false; // -d family: curl adds a form Content-Type
    QString uploadFile;
    bool get = false;
    bool head = false;
    std::optional<QByteArray> expectHeader; // value; empty: removed with "Expect:"
    bool removeContentType = false;
    HttpHeaders headers;

    auto handle = [&](const QString &name, const QString &value) -> std::optional<QString> {
        if (name == QLatin1String("request")) {
            method = value.toLatin1();
        } else if (name == QLatin1String("header")) {
            if (value.startsWith(QLatin1Char('@')))
                return tr("-H @FILE (headers from a file) is not supported");
            const qsizetype colon = value.indexOf(QLatin1Char(':'));
            const qsizetype semi = value.indexOf(QLatin1Char(';'));
            QByteArray hname;
            QByteArray hvalue;
            bool remove = false;
            if (colon > 0) {
                hname = value.left(colon).trimmed().toLatin1();
                hvalue = value.mid(colon + 1).trimmed().toLatin1();
                remove = hvalue.isEmpty();
            } else if (semi > 0 && value.mid(semi + 1).trimmed().isEmpty()) {
                hname = value.left(semi).trimmed().toLatin1(); // "Name;" sends an empty value
            } else {
                return tr("invalid header '%1': expected 'Name: value'").arg(value);
            }
            if (hname.compare("Expect", Qt::CaseInsensitive) == 0) {
                expectHeader = hvalue;
            } else if (hname.compare("Content-Type", Qt::CaseInsensitive) == 0 && remove) {
                removeContentType = true;
            } else if (hname.compare("Transfer-Encoding", Qt::CaseInsensitive) == 0) {
                if (hvalue.toLower().contains("chunked"))
                    r.chunked = true;
                else if (!remove)
                    warnings << tr("Transfer-Encoding '%1' ignored: ExpectLab sends chunked or Content-Length")
                                    .arg(QString::fromLatin1(hvalue));
            } else if (hname.compare("Content-Length", Qt::CaseInsensitive) == 0) {
                if (!remove)
                    warnings << tr("Content-Length ignored: ExpectLab sets it from the body");
            } else if (remove) {
                const bool ours = hname.compare("Host", Qt::CaseInsensitive) == 0 ||
                                  hname.compare("User-Agent", Qt::CaseInsensitive) == 0 ||
                                  hname.compare("Accept", Qt::CaseInsensitive) == 0;
                if (ours)
                    warnings << tr("'%1:' cannot remove that header: ExpectLab always sends it")
                                    .arg(QString::fromLatin1(hname));
                removeHeader(headers, hname);
            } else {
                headers.append({hname, hvalue});
            }
        } else if (name == QLatin1String("data") || name == QLatin1String("data-ascii") ||
                   name == QLatin1String("data-binary") || name == QLatin1String("data-raw") ||
                   name == QLatin1String("data-urlencode") || name == QLatin1String("json")) {
            dataIsForm = dataIsForm || name != QLatin1String("json");
            DataPart part;
            if (name == QLatin1String("data-urlencode")) {
                if (value.contains(QLatin1Char('@')) && !value.contains(QLatin1Char('=')))
                    return tr("--data-urlencode with a file is not supported");
                part.text = urlEncodeData(value);
            } else if (name != QLatin1String("data-raw") && value.startsWith(QLatin1Char('@'))) {
                part.path = value.mid(1);
                part.kind = part.path == QLatin1String("-") ? DataPart::Kind::Stdin : DataPart::Kind::File;
                if (name != QLatin1String("data-binary") && part.kind == DataPart::Kind::File)
                    warnings << tr("%1 @FILE strips line breaks from the file; ExpectLab sends the file as it is")
                                    .arg(QStringLiteral("--") + name);
            } else {
                part.text = value.toUtf8();
            }
            if (name == QLatin1String("json")) {
                headers.append(HttpHeader("Content-Type", "application/json"));
                headers.append(HttpHeader("Accept", "application/json"));
            }
            data.append(part);
        } else if (name == QLatin1String("upload-file")) {
            uploadFile = value;
        } else if (name == QLatin1String("get")) {
            get = true;
        } else if (name == QLatin1String("head")) {
            head = true;
        } else if (name == QLatin1String("user-agent")) {
            setHeader(headers, "User-Agent", value.toLatin1());
        } else if (name == QLatin1String("referer")) {
            setHeader(headers, "Referer", value.toLatin1());
        } else if (name == QLatin1String("cookie")) {
            if (value.contains(QLatin1Char('=')))
                headers.append(HttpHeader("Cookie", value.toLatin1()));
            else
                warnings << tr("cookie file '%1' not read").arg(value);
        } else if (name == QLatin1String("user")) {
            headers.append(HttpHeader("Authorization", "Basic " + value.toUtf8().toBase64()));
        } else if (name == QLatin1String("oauth2-bearer")) {
            headers.append(HttpHeader("Authorization", "Bearer " + value.toLatin1()));
        } else if (name == QLatin1String("range")) {
            headers.append(HttpHeader("Range", "bytes=" + value.toLatin1()));
        } else if (name == QLatin1String("max-time")) {
            bool ok = false;
            const int ms = secondsToMs(value, &ok);
            if (!ok || ms <= 0)
                return tr("invalid --max-time '%1': expected seconds").arg(value);
            r.timeoutMs = ms;
        } else if (name == QLatin1String("expect100-timeout")) {
            bool ok = false;
            const int ms = secondsToMs(value, &ok);
            if (!ok)
                return tr("invalid --expect100-timeout '%1': expected seconds").arg(value);
            r.expectTimeoutMs = ms;
        } else if (name == QLatin1String("url")) {
            if (!url.isEmpty())
                return tr("more than one URL: '%1' and '%2'").arg(url, value);
            url = value;
        } else if (name == QLatin1String("http1.0")) {
            warnings << tr("-0/--http1.0 ignored: ExpectLab always sends HTTP/1.1");
        } else if (name == QLatin1String("http2") || name == QLatin1String("http2-prior-knowledge") ||
                   name == QLatin1String("http3")) {
            warnings << tr("--%1 ignored: ExpectLab speaks HTTP/1.1 only").arg(name);
        } else if (name == QLatin1String("form") || name == QLatin1String("form-string")) {
            return tr("multipart forms (-F) are not supported; use --data-binary with a file");
        } else if (name == QLatin1String("config")) {
            return tr("-K/--config is not supported: paste the options themselves");
        } else if (name == QLatin1String("location")) {
            warnings << tr("-L ignored: ExpectLab does not follow redirects");
        } else if (name == QLatin1String("compressed")) {
            warnings << tr("--compressed ignored: ExpectLab does not decode responses");
        } else if (name == QLatin1String("proxy")) {
            warnings << tr("--proxy ignored: ExpectLab connects directly");
        } else if (!isHarmless(name)) {
            warnings << tr("option --%1 ignored").arg(name);
        }
        return std::nullopt;
    };

    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &a = args.at(i);
        if (a.startsWith(QLatin1String("--")) && a.size() > 2) {
            const QString name = a.mid(2);
            QString value;
            if (takesArgument(name)) {
                if (i + 1 >= args.size())
                    return fail(tr("option %1 needs a value").arg(a));
                value = args.at(++i);
            }
            if (const auto problem = handle(name, value))
                return fail(*problem);
        } else if (a.startsWith(QLatin1Char('-')) && a.size() > 1) {
            // Short options can be grouped (-sSL) and take their value attached (-XPUT) or next.
            for (qsizetype k = 1; k < a.size(); ++k) {
                const QString name = longNameOf(a.at(k));
                if (name.isEmpty()) {
                    warnings << tr("option -%1 ignored").arg(a.at(k));
                    continue;
                }
                if (takesArgument(name)) {
                    QString value = a.mid(k + 1);
                    if (value.isEmpty()) {
                        if (i + 1 >= args.size())
                            return fail(tr("option -%1 needs a value").arg(a.at(k)));
                        value = args.at(++i);
                    }
                    if (const auto problem = handle(name, value))
                        return fail(*problem);
                    break;
                }
                if (const auto problem = handle(name, QString()))
                    return fail(*problem);
            }
        } else {
            if (!url.isEmpty())
                return fail(tr("more than one URL: '%1' and '%2'").arg(url, a));
            url = a;
        }
    }
    if (url.isEmpty())
        return fail(tr("the curl command has no URL"));
    if (!url.contains(QLatin1String("://")))
        url.prepend(QStringLiteral("http://")); // curl's guess for a bare host
    r.url = QUrl(url);

    // The body
    if (!uploadFile.isEmpty() && !data.isEmpty())
        return fail(tr("-T and -d together: curl sends only one body"));
    if (!uploadFile.isEmpty()) {
        if (uploadFile == QLatin1String("-") || uploadFile == QLatin1String(".")) {
            if (!stdinSource.known)
                return fail(tr("-T - reads the body from standard input, which a pasted command cannot supply"));
            r.body = stdinSource.body;
        } else {
            r.body.kind = BodySpec::Kind::File;
            r.body.filePath = uploadFile;
            if (r.url.path().endsWith(QLatin1Char('/')) || r.url.path().isEmpty())
                r.url.setPath(r.url.path() + (r.url.path().isEmpty() ? QStringLiteral("/") : QString()) +
                              QFileInfo(uploadFile).fileName()); // as curl does
        }
    } else if (!data.isEmpty()) {
        if (get) {
            QByteArray query;
            for (const DataPart &p : data) {
                if (p.kind != DataPart::Kind::Text)
                    return fail(tr("-G with a file body is not supported"));
                query += (query.isEmpty() ? "" : "&") + p.text;
            }
            QString q = r.url.query(QUrl::FullyEncoded);
            r.url.setQuery(q.isEmpty() ? QString::fromLatin1(query) : q + QLatin1Char('&') + QString::fromLatin1(query),
                           QUrl::TolerantMode);
        } else if (data.size() == 1 && data.first().kind == DataPart::Kind::File) {
            r.body.kind = BodySpec::Kind::File;
            r.body.filePath = data.first().path;
        } else if (data.size() == 1 && data.first().kind == DataPart::Kind::Stdin) {
            if (!stdinSource.known)
                return fail(tr("@- reads the body from standard input, which a pasted command cannot supply"));
            r.body = stdinSource.body;
        } else {
            QByteArray joined;
            for (qsizetype k = 0; k < data.size(); ++k) {
                if (data.at(k).kind != DataPart::Kind::Text)
                    return fail(tr("a file body combined with other -d data is not supported"));
                joined += (k ? "&" : "") + data.at(k).text; // curl joins -d parts with '&'
            }
            r.body.kind = BodySpec::Kind::Text;
            r.body.text = joined;
        }
        if (!get && dataIsForm && !removeContentType && !headerValue(headers, "Content-Type"))
            headers.append(HttpHeader("Content-Type", "application/x-www-form-urlencoded"));
    }

    // The method curl would use
    if (!method.isEmpty())
        r.method = method;
    else if (head)
        r.method = "HEAD";
    else if (get)
        r.method = "GET";
    else if (!uploadFile.isEmpty())
        r.method = "PUT";
    if (r.method == r.effectiveMethod() && method.isEmpty() && !head && !get && uploadFile.isEmpty())
        r.method.clear();
    if (!r.method.isEmpty() && r.method == (r.body.hasBody() ? QByteArray("POST") : QByteArray("GET")))
        r.method.clear(); // the default says it already

    r.headers = headers;

    // Expect: what the command says, or what curl itself would do (expect-rules.md, client table).
    if (expectHeader) {
        if (expectHeader->isEmpty())
            r.expect = ClientRequest::ExpectMode::Off;
        else if (isContinueExpectation(*expectHeader))
            r.expect = r.body.hasBody() ? ClientRequest::ExpectMode::Default : ClientRequest::ExpectMode::On;
        else {
            r.expect = ClientRequest::ExpectMode::Custom;
            r.expectValue = *expectHeader;
        }
    } else if (r.body.hasBody()) {
        qint64 size = -1;
        switch (r.body.kind) {
        case BodySpec::Kind::Text: size = r.body.text.size(); break;
        case BodySpec::Kind::Generated: size = r.body.generatedSize; break;
        case BodySpec::Kind::File:
            size = QFileInfo(r.body.filePath).exists() ? QFileInfo(r.body.filePath).size() : -1;
            break;
        case BodySpec::Kind::None: break;
        }
        const bool curlWouldExpect =
            !uploadFile.isEmpty() || r.chunked || size < 0 || size > ClientRequest::kCurlExpectThreshold;
        r.expect = curlWouldExpect ? ClientRequest::ExpectMode::Default : ClientRequest::ExpectMode::Off;
    }
    return result;
}

} // namespace expectlab
