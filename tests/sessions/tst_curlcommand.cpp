// Copy as curl and paste a curl command: shell word splitting and curl option tables, and the real
// curl running the exported command sends the same request head as ExpectLab's own client.

#include "curlcommand.h"
#include "exchangerunner.h"
#include "httpparser.h"
#include "requirepeer.h"
#include "serverpolicy.h"

#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

Q_DECLARE_METATYPE(expectlab::ClientRequest)

using namespace expectlab;

namespace {

// What a peer sent: its head and its (de-chunked) body.
struct Captured
{
    MessageHead head;
    QByteArray body;
};

// A raw server that records each request's head and body, answers 100 to 100-continue, then
// 200 with Connection: close. Independent of our TestServer, so it checks the client alone.
class CaptureServer : public QObject, public HttpParser::Sink
{
public:
    CaptureServer()
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            // One request at a time in these tests.
            m_socket = m_server.nextPendingConnection();
            m_parser = std::make_unique<HttpParser>(HttpParser::Kind::Request, this);
            m_current = Captured();
            m_done = false;
            connect(m_socket, &QTcpSocket::readyRead, this, &CaptureServer::onData);
        });
    }
    QString url(const QString &path) const
    {
        return QStringLiteral("http://127.0.0.1:%1%2").arg(m_server.serverPort()).arg(path);
    }
    QList<Captured> requests;

private:
    void onData()
    {
        const QByteArray data = m_socket->readAll();
        qsizetype offset = 0;
        while (offset < data.size() && m_parser) {
            const auto r = m_parser->feed(QByteArrayView(data).sliced(offset));
            offset += r.consumed;
            if (r.status == HttpParser::Status::Error || m_done)
                break;
            if (r.status == HttpParser::Status::Paused && m_headPending) {
                m_headPending = false;
                const auto expect = m_current.head.header("Expect");
                if (expect && isContinueExpectation(*expect))
                    m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
                if (offset == data.size())
                    m_parser->feed({}); // completes a request without a body
            }
        }
        if (m_done)
            m_parser.reset();
    }
    HttpParser::HeadAction onHead(const MessageHead &head) override
    {
        m_current.head = head;
        m_headPending = true;
        return HttpParser::HeadAction::Pause;
    }
    void onBody(QByteArrayView data) override { m_current.body += data.toByteArray(); }
    void onMessageComplete() override
    {
        requests << m_current;
        m_socket->write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        m_socket->disconnectFromHost();
        m_done = true; // the parser is still running this callback: drop it after feed() returns
    }

    QTcpServer m_server;
    QTcpSocket *m_socket = nullptr;
    std::unique_ptr<HttpParser> m_parser;
    Captured m_current;
    bool m_headPending = false;
    bool m_done = false;
};

ClientRequest textRequest(const QByteArray &text)
{
    ClientRequest r;
    r.body.kind = BodySpec::Kind::Text;
    r.body.text = text;
    return r;
}

ClientRequest generatedRequest(qint64 size)
{
    ClientRequest r;
    r.body.kind = BodySpec::Kind::Generated;
    r.body.generatedSize = size;
    return r;
}

} // namespace

class TestCurlCommand : public QObject
{
    Q_OBJECT

private slots:
    void shellWords_data()
    {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QStringList>("words");
        QTest::newRow("plain") << QStringLiteral("curl -X POST http://a/")
                               << QStringList{"curl", "-X", "POST", "http://a/"};
        QTest::newRow("single quotes") << QStringLiteral("curl -H 'A: b c' x")
                                       << QStringList{"curl", "-H", "A: b c", "x"};
        QTest::newRow("quote in single") << QStringLiteral("echo 'it'\\''s'") << QStringList{"echo", "it's"};
        QTest::newRow("double quotes") << QStringLiteral("echo \"a \\\"b\\\" \\$x \\n\"")
                                       << QStringList{"echo", "a \"b\" $x \\n"};
        QTest::newRow("backslash space") << QStringLiteral("echo a\\ b") << QStringList{"echo", "a b"};
        QTest::newRow("continuation") << QStringLiteral("curl \\\n  -d x \\\r\n  url")
                                      << QStringList{"curl", "-d", "x", "url"};
        QTest::newRow("adjacent quotes") << QStringLiteral("echo 'a'\"b\"c") << QStringList{"echo", "abc"};
        QTest::newRow("empty word") << QStringLiteral("echo '' \"\"") << QStringList{"echo", "", ""};
        QTest::newRow("ansi-c") << QStringLiteral("echo $'a\\nb\\t\\x41\\101\\'\\u00e9'")
                                << QStringList{"echo", QStringLiteral("a\nb\tAA'\u00e9")};
        QTest::newRow("pipe") << QStringLiteral("head -c 5 /dev/zero|curl x")
                              << QStringList{"head", "-c", "5", "/dev/zero", "|", "curl", "x"};
        QTest::newRow("quoted pipe") << QStringLiteral("echo 'a|b'") << QStringList{"echo", "a|b"};
        QTest::newRow("comment") << QStringLiteral("curl x # a comment\n") << QStringList{"curl", "x"};
        QTest::newRow("hash inside word")
            << QStringLiteral("curl http://a/#frag") << QStringList{"curl", "http://a/#frag"};
    }

    void shellWords()
    {
        QFETCH(QString, line);
        QFETCH(QStringList, words);
        QString error;
        const auto got = splitShellWords(line, &error);
        QVERIFY2(got, qPrintable(error));
        QCOMPARE(*got, words);
    }

    void shellErrors_data()
    {
        QTest::addColumn<QString>("line");
        QTest::newRow("single") << QStringLiteral("curl 'abc");
        QTest::newRow("double") << QStringLiteral("curl \"abc");
        QTest::newRow("ansi") << QStringLiteral("curl $'abc");
    }

    void shellErrors()
    {
        QFETCH(QString, line);
        QString error;
        QVERIFY(!splitShellWords(line, &error));
        QVERIFY(error.contains(QStringLiteral("unterminated")));
    }

    void quoting_data()
    {
        QTest::addColumn<QString>("word");
        QTest::newRow("safe") << QStringLiteral("http://a:1/b?c=d");
        QTest::newRow("space") << QStringLiteral("a b");
        QTest::newRow("quote") << QStringLiteral("it's \"x\" $HOME `id` \\ !");
        QTest::newRow("empty") << QString();
        QTest::newRow("newline") << QStringLiteral("a\nb");
    }

    void quoting()
    {
        QFETCH(QString, word);
        const auto back = splitShellWords(QStringLiteral("x ") + shellQuote(word), nullptr);
        QVERIFY(back);
        QCOMPARE(*back, (QStringList{QStringLiteral("x"), word}));
    }

    void parse_data()
    {
        QTest::addColumn<QString>("command");
        QTest::addColumn<QByteArray>("method"); // effective
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("headers");     // "Name: value|Name: value"
        QTest::addColumn<int>("bodyKind");        // BodySpec::Kind
        QTest::addColumn<QByteArray>("bodyText"); // text, or the file path, or the generated size
        QTest::addColumn<QByteArray>("expect");   // expectToSend()
        QTest::addColumn<int>("expectTimeoutMs");
        QTest::addColumn<bool>("chunked");
        QTest::addColumn<int>("timeoutMs");
        QTest::addColumn<int>("warnings");

        const int none = int(BodySpec::Kind::None), text = int(BodySpec::Kind::Text), file = int(BodySpec::Kind::File),
                  gen = int(BodySpec::Kind::Generated);
        const QString form = QStringLiteral("Content-Type: application/x-www-form-urlencoded");
        QTest::newRow("get") << "curl http://h:8080/p?q=1" << QByteArray("GET") << "http://h:8080/p?q=1" << QString()
                             << none << QByteArray() << QByteArray() << 1000 << false << 30000 << 0;
        QTest::newRow("bare host") << "curl example.test/x" << QByteArray("GET") << "http://example.test/x" << QString()
                                   << none << QByteArray() << QByteArray() << 1000 << false << 30000 << 0;
        QTest::newRow("-d small: no Expect")
            << "curl -d 'a=1' -d b=2 http://h/" << QByteArray("POST") << "http://h/" << form << text
            << QByteArray("a=1&b=2") << QByteArray() << 1000 << false << 30000 << 0;
        QTest::newRow("explicit expect") << "curl -H 'Expect: 100-continue' --data-binary hi http://h/"
                                         << QByteArray("POST") << "http://h/" << form << text << QByteArray("hi")
                                         << QByteArray("100-continue") << 1000 << false << 30000 << 0;
        QTest::newRow("expect removed") << "curl -H 'Expect:' -H 'Content-Type:' --data-binary @/tmp/f http://h/"
                                        << QByteArray("POST") << "http://h/" << QString() << file
                                        << QByteArray("/tmp/f") << QByteArray() << 1000 << false << 30000 << 0;
        QTest::newRow("custom expectation")
            << "curl -H 'Expect: x-y' -d z http://h/" << QByteArray("POST") << "http://h/" << form << text
            << QByteArray("z") << QByteArray("x-y") << 1000 << false << 30000 << 0;
        QTest::newRow("-T: PUT with Expect")
            << "curl -T /tmp/up.bin http://h/dir/" << QByteArray("PUT") << "http://h/dir/up.bin" << QString() << file
            << QByteArray("/tmp/up.bin") << QByteArray("100-continue") << 1000 << false << 30000 << 0;
        QTest::newRow("-X and headers")
            << "curl -sS -XPATCH -H 'X-A: 1' -H 'X-Empty;' -A agent/1 -e http://r/ http://h/" << QByteArray("PATCH")
            << "http://h/"
            << "X-A: 1|X-Empty: |User-Agent: agent/1|Referer: http://r/" << none << QByteArray() << QByteArray() << 1000
            << false << 30000 << 0;
        QTest::newRow("timeouts") << "curl --expect100-timeout 0.25 -m 7 -d x http://h/" << QByteArray("POST")
                                  << "http://h/" << form << text << QByteArray("x") << QByteArray() << 250 << false
                                  << 7000 << 0;
        QTest::newRow("chunked")
            << "curl -H 'Transfer-Encoding: chunked' -H 'Content-Type: a/b' --data-binary q http://h/"
            << QByteArray("POST") << "http://h/"
            << "Content-Type: a/b" << text << QByteArray("q") << QByteArray("100-continue") << 1000 << true << 30000
            << 0;
        QTest::newRow("-G") << "curl -G -d a=1 --data-urlencode 'b=x y' http://h/p" << QByteArray("GET")
                            << "http://h/p?a=1&b=x%20y" << QString() << none << QByteArray() << QByteArray() << 1000
                            << false << 30000 << 0;
        QTest::newRow("-I") << "curl -I http://h/" << QByteArray("HEAD") << "http://h/" << QString() << none
                            << QByteArray() << QByteArray() << 1000 << false << 30000 << 0;
        QTest::newRow("user and cookie") << "curl -u me:pw -b 'k=v' http://h/" << QByteArray("GET") << "http://h/"
                                         << "Authorization: Basic bWU6cHc=|Cookie: k=v" << none << QByteArray()
                                         << QByteArray() << 1000 << false << 30000 << 0;
        QTest::newRow("head -c pipeline")
            << "head -c 2097152 /dev/zero | curl --data-binary @- http://h/" << QByteArray("POST") << "http://h/"
            << form << gen << QByteArray("2097152") << QByteArray("100-continue") << 1000 << false << 30000 << 0;
        QTest::newRow("yes pipeline")
            << "yes abc | tr -d '\\n' | head -c 10 | curl -H 'Expect:' --data-binary @- http://h/" << QByteArray("POST")
            << "http://h/" << form << gen << QByteArray("10") << QByteArray() << 1000 << false << 30000 << 0;
        QTest::newRow("printf pipeline") << "printf 'a\\000b' | curl --data-binary @- http://h/" << QByteArray("POST")
                                         << "http://h/" << form << text << QByteArray("a\0b", 3) << QByteArray() << 1000
                                         << false << 30000 << 0;
        QTest::newRow("data-raw @") << "curl --data-raw @notafile http://h/" << QByteArray("POST") << "http://h/"
                                    << form << text << QByteArray("@notafile") << QByteArray() << 1000 << false << 30000
                                    << 0;
        QTest::newRow("warnings") << "curl -L --compressed -0 -o out.txt -v http://h/" << QByteArray("GET")
                                  << "http://h/" << QString() << none << QByteArray() << QByteArray() << 1000 << false
                                  << 30000 << 3;
        QTest::newRow("devtools bash")
            << "curl 'http://h/api' \\\n  -H $'X-Q: it\\'s' \\\n  --data-raw $'{\"a\":1}' \\\n  --compressed"
            << QByteArray("POST") << "http://h/api"
            << "X-Q: it's|" + form << text << QByteArray("{\"a\":1}") << QByteArray() << 1000 << false << 30000 << 1;
        QTest::newRow("-X POST no body") << "curl -X POST http://h/" << QByteArray("POST") << "http://h/" << QString()
                                         << none << QByteArray() << QByteArray() << 1000 << false << 30000 << 0;
    }

    void parse()
    {
        QFETCH(QString, command);
        QFETCH(QByteArray, method);
        QFETCH(QString, url);
        QFETCH(QString, headers);
        QFETCH(int, bodyKind);
        QFETCH(QByteArray, bodyText);
        QFETCH(QByteArray, expect);
        QFETCH(int, expectTimeoutMs);
        QFETCH(bool, chunked);
        QFETCH(int, timeoutMs);
        QFETCH(int, warnings);

        QString error;
        const auto parsed = parseCurlCommand(command, &error);
        QVERIFY2(parsed, qPrintable(error));
        const ClientRequest &r = parsed->request;
        QCOMPARE(r.effectiveMethod(), method);
        QCOMPARE(r.url.toString(QUrl::FullyEncoded), url);
        QStringList got;
        for (const auto &[name, value] : r.headers)
            got << QString::fromLatin1(name + ": " + value);
        QCOMPARE(got.join(QLatin1Char('|')), headers);
        QCOMPARE(int(r.body.kind), bodyKind);
        if (r.body.kind == BodySpec::Kind::Text)
            QCOMPARE(r.body.text, bodyText);
        else if (r.body.kind == BodySpec::Kind::File)
            QCOMPARE(r.body.filePath.toUtf8(), bodyText);
        else if (r.body.kind == BodySpec::Kind::Generated)
            QCOMPARE(QByteArray::number(r.body.generatedSize), bodyText);
        QCOMPARE(r.expectToSend(), expect);
        QCOMPARE(r.expectTimeoutMs, expectTimeoutMs);
        QCOMPARE(r.chunked, chunked);
        QCOMPARE(r.timeoutMs, timeoutMs);
        QVERIFY2(parsed->warnings.size() == warnings, qPrintable(parsed->warnings.join(QStringLiteral("; "))));
    }

    void parseErrors_data()
    {
        QTest::addColumn<QString>("command");
        QTest::addColumn<QString>("message");
        QTest::newRow("not curl") << "wget http://h/"
                                  << "not a curl command";
        QTest::newRow("no url") << "curl -v"
                                << "no URL";
        QTest::newRow("two urls") << "curl http://a/ http://b/"
                                  << "more than one URL";
        QTest::newRow("missing value") << "curl http://a/ -H"
                                       << "needs a value";
        QTest::newRow("form") << "curl -F a=b http://a/"
                              << "multipart";
        QTest::newRow("stdin unknown") << "curl --data-binary @- http://a/"
                                       << "standard input";
        QTest::newRow("bad header") << "curl -H nocolon http://a/"
                                    << "invalid header";
        QTest::newRow("bad timeout") << "curl --expect100-timeout soon http://a/"
                                     << "expect100-timeout";
        QTest::newRow("quote") << "curl 'http://a/"
                               << "unterminated";
    }

    void parseErrors()
    {
        QFETCH(QString, command);
        QFETCH(QString, message);
        QString error;
        QVERIFY(!parseCurlCommand(command, &error));
        QVERIFY2(error.contains(message), qPrintable(error));
    }

    // What the composer exports, pasted back, is the same request.
    void exportParseRoundTrip_data()
    {
        QTest::addColumn<ClientRequest>("request");
        ClientRequest a = textRequest("hello world");
        a.url = QUrl(QStringLiteral("http://127.0.0.1:9/a?b=c"));
        a.headers = {{"X-One", "1"}, {"X-Empty", ""}};
        QTest::newRow("text, default expect") << a;
        ClientRequest b = generatedRequest(3 << 20);
        b.url = QUrl(QStringLiteral("http://[::1]:9/big"));
        b.expect = ClientRequest::ExpectMode::Off;
        b.method = "PUT";
        b.timeoutMs = 5000;
        QTest::newRow("generated, no expect, PUT") << b;
        ClientRequest c = textRequest(QByteArray("nul\0byte\n'quote'", 16));
        c.url = QUrl(QStringLiteral("http://h/"));
        c.expectTimeoutMs = 150;
        c.chunked = true;
        c.headers = {{"Content-Type", "application/octet-stream"}};
        QTest::newRow("binary text, chunked, short wait") << c;
        ClientRequest d;
        d.url = QUrl(QStringLiteral("http://h/x"));
        d.method = "HEAD";
        QTest::newRow("head") << d;
        ClientRequest e = textRequest("@at");
        e.url = QUrl(QStringLiteral("http://h/"));
        e.expect = ClientRequest::ExpectMode::Custom;
        e.expectValue = "x-custom";
        QTest::newRow("custom expectation, @ text") << e;
    }

    void exportParseRoundTrip()
    {
        QFETCH(ClientRequest, request);
        for (bool multiline : {false, true}) {
            const QString command = curlCommandFor(request, {multiline});
            QString error;
            const auto parsed = parseCurlCommand(command, &error);
            QVERIFY2(parsed, qPrintable(error + QStringLiteral(" in ") + command));
            const ClientRequest &r = parsed->request;
            QCOMPARE(r.url, request.url);
            QCOMPARE(r.effectiveMethod(), request.effectiveMethod());
            QCOMPARE(r.headers, request.headers);
            QCOMPARE(r.body.kind, request.body.kind);
            QCOMPARE(r.body.text, request.body.text);
            QCOMPARE(r.body.generatedSize, request.body.generatedSize);
            QCOMPARE(r.expectToSend(), request.expectToSend());
            if (!request.expectToSend().isEmpty() && isContinueExpectation(request.expectToSend()))
                QCOMPARE(r.expectTimeoutMs, request.expectTimeoutMs);
            QCOMPARE(r.chunked, request.chunked);
            QCOMPARE(r.timeoutMs, request.timeoutMs);
            QVERIFY2(parsed->warnings.isEmpty(), qPrintable(parsed->warnings.join(QLatin1Char(';'))));
        }
    }

    void realCurlSameHead_data()
    {
        QTest::addColumn<ClientRequest>("request");
        QTest::addColumn<QString>("path");

        ClientRequest a = textRequest("name=value");
        a.headers = {{"X-Trace", "abc 123"}, {"X-Empty", ""}};
        QTest::newRow("text, expect") << a << QStringLiteral("/form?x=1");
        ClientRequest b = textRequest("@starts-with-at");
        b.expect = ClientRequest::ExpectMode::Off;
        QTest::newRow("@ text, no expect") << b << QStringLiteral("/");
        ClientRequest c = generatedRequest(2 * 1024 * 1024 + 3);
        c.expectTimeoutMs = 300;
        c.method = "PUT";
        QTest::newRow("2 MiB generated, expect 300 ms, PUT") << c << QStringLiteral("/big");
        ClientRequest d = generatedRequest(2 * 1024 * 1024);
        d.expect = ClientRequest::ExpectMode::Off;
        QTest::newRow("2 MiB, Expect removed") << d << QStringLiteral("/noexpect");
        ClientRequest e = generatedRequest(10000);
        e.chunked = true;
        e.headers = {{"Content-Type", "application/x-test"}};
        QTest::newRow("chunked") << e << QStringLiteral("/chunked");
        ClientRequest f;
        f.headers = {{"Accept-Language", "fr"}};
        QTest::newRow("GET") << f << QStringLiteral("/get?a=b%20c");
        ClientRequest g = textRequest(QByteArray("bin\0ary\xff", 8));
        g.expect = ClientRequest::ExpectMode::Custom;
        g.expectValue = "x-custom";
        g.expectTimeoutMs = 100;
        QTest::newRow("binary text, custom expectation") << g << QStringLiteral("/bin");
        ClientRequest h;
        h.method = "DELETE";
        QTest::newRow("DELETE") << h << QStringLiteral("/item/1");
    }

    void realCurlSameHead()
    {
        QFETCH(ClientRequest, request);
        QFETCH(QString, path);
        const QString curl = QStandardPaths::findExecutable(QStringLiteral("curl"));
        EXPECTLAB_REQUIRE_PEER(!curl.isEmpty(), QStringLiteral("curl"));

        CaptureServer server;
        request.url = QUrl(server.url(path));

        ExchangeRunner runner(1, request);
        QSignalSpy done(&runner, &ExchangeRunner::finished);
        runner.start();
        QVERIFY(runner.isFinished() || done.wait(10000));
        QCOMPARE(runner.exchange().summary().finalStatus, std::optional<int>(200));
        QTRY_COMPARE_WITH_TIMEOUT(server.requests.size(), 1, 5000);

        const QString command = curlCommandFor(request) + QStringLiteral(" -sS -o /dev/null");
        QProcess process;
        // Waiting on the signal keeps the event loop (and so the capture server) running.
        QSignalSpy exited(&process, &QProcess::finished);
        process.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), command});
        QVERIFY2(exited.wait(15000), qPrintable(command));
        QVERIFY2(process.exitCode() == 0, qPrintable(command + QLatin1Char('\n') + process.readAllStandardError()));
        QTRY_COMPARE_WITH_TIMEOUT(server.requests.size(), 2, 5000);

        const Captured &ours = server.requests.at(0);
        const Captured &theirs = server.requests.at(1);
        QCOMPARE(theirs.head.method, ours.head.method);
        QCOMPARE(theirs.head.target, ours.head.target);
        QCOMPARE(theirs.head.versionMinor, ours.head.versionMinor);
        for (const char *name : {"Expect", "Content-Length", "Transfer-Encoding", "Content-Type", "Host", "Accept"})
            QVERIFY2(theirs.head.header(name) == ours.head.header(name),
                     qPrintable(QString::fromLatin1(name) + QStringLiteral(" in ") + command));
        for (const auto &[name, value] : request.headers)
            QCOMPARE(theirs.head.header(name), std::optional<QByteArray>(value));
        QCOMPARE(theirs.body.size(), ours.body.size());
        QVERIFY(theirs.body == ours.body); // even the generated pattern is the same
    }

    void fromSummary()
    {
        // A recorded exchange turns back into the request that made it.
        CaptureServer server;
        ClientRequest request = textRequest("abc");
        request.url = QUrl(server.url(QStringLiteral("/s")));
        request.headers = {{"X-K", "v"}};
        request.method = "PUT";
        ExchangeRunner runner(1, request);
        QSignalSpy done(&runner, &ExchangeRunner::finished);
        runner.start();
        QVERIFY(runner.isFinished() || done.wait(10000));
        const ClientRequest back = requestFromSummary(runner.exchange().summary());
        QCOMPARE(back.url, request.url);
        QCOMPARE(back.effectiveMethod(), QByteArray("PUT"));
        QCOMPARE(back.headers, request.headers);
        QCOMPARE(back.body.kind, BodySpec::Kind::Text);
        QCOMPARE(back.body.text, QByteArray("abc"));
        QCOMPARE(back.expectToSend(), QByteArray("100-continue"));
    }
};

QTEST_GUILESS_MAIN(TestCurlCommand)
#include "tst_curlcommand.moc"
