// The recording proxy's relay without sockets (issue 16): the client's bytes written by the test,
// the origin our own server core under a policy, a fake clock. What each end sees in each mode, the
// hold and its bound, failures upstream, a forward proxy's targets, and the messages a proxy rewrites.
#include "bodyspool.h"
#include "proxymessages.h"
#include "proxypair.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace expectlab;
using namespace expectlab::testing;

namespace {
const QByteArray kExpectHead = "POST /upload HTTP/1.1\r\nHost: client.example\r\nContent-Length: 5\r\n"
                               "Expect: 100-continue\r\n\r\n";

ProxyConfig reverseTo(ProxyMode mode, const QString &upstream = QStringLiteral("http://127.0.0.1:8080/"))
{
    ProxyConfig c;
    c.mode = mode;
    c.upstream = QUrl(upstream);
    return c;
}

// The heads of the messages in bytes, in order, their bodies read past.
QList<MessageHead> messagesIn(HttpParser::Kind kind, const QByteArray &bytes)
{
    struct Collector : HttpParser::Sink
    {
        HttpParser::HeadAction onHead(const MessageHead &head) override
        {
            heads.append(head);
            return HttpParser::HeadAction::Continue;
        }
        void onBody(QByteArrayView) override {}
        void onMessageComplete() override {}
        QList<MessageHead> heads;
    } collector;
    HttpParser parser(kind, &collector);
    parser.feed(bytes);
    return collector.heads;
}

QList<int> statusesIn(const QByteArray &bytes)
{
    QList<int> out;
    for (const MessageHead &h : messagesIn(HttpParser::Kind::Response, bytes))
        out << h.status;
    return out;
}

QList<MessageHead> requestsIn(const QByteArray &bytes)
{
    return messagesIn(HttpParser::Kind::Request, bytes);
}
} // namespace

class TestProxyConnection : public QObject
{
    Q_OBJECT

private slots:
    // Transparent: Expect goes upstream, the client gets the origin's own 100 and final; the body
    // waits for the 100 (R13, R18).
    void transparentPassesTheHandshakeThrough()
    {
        ProxyPair p(reverseTo(ProxyMode::Transparent));
        p.clientSends(kExpectHead);
        QCOMPARE(p.toClient, QByteArray());
        QCOMPARE(p.upstreamConnections, 1);
        QCOMPARE(p.toUpstream, QByteArray("POST /upload HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Length: 5\r\n"
                                          "Expect: 100-continue\r\nVia: 1.1 expectlab\r\n\r\n"));
        p.upstreamSends("HTTP/1.1 100 Continue\r\nX-Origin: yes\r\n\r\n");
        QCOMPARE(p.toClient, QByteArray("HTTP/1.1 100 Continue\r\nX-Origin: yes\r\n\r\n"));
        p.clientSends("hello");
        QVERIFY(p.toUpstream.endsWith("\r\n\r\nhello"));
        p.upstreamSends("HTTP/1.1 201 Created\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok");
        QVERIFY2(p.toClient.endsWith("HTTP/1.1 201 Created\r\nContent-Length: 2\r\nVia: 1.1 expectlab\r\n\r\nok"),
                 p.toClient.constData());
        QCOMPARE(p.decisions(), (QStringList{"forward_expect", "hold_body", "release_body"}));
        // Both hops' events name the one exchange.
        for (const TimelineEvent &e : std::as_const(p.events)) {
            if (e.kind == EventKind::Head || e.kind == EventKind::HeadSent || e.kind == EventKind::Final ||
                e.kind == EventKind::FinalSent || e.kind == EventKind::Decision)
                QCOMPARE(e.exchange, 1);
        }
        QVERIFY(p.kinds(Hop::Upstream).contains("interim:100"));
        QVERIFY(p.kinds(Hop::Downstream).contains("interim_sent:100"));
        QVERIFY(!p.downstreamClosed);
    }

    // An early final from the origin reaches the client as the origin sent it; the held body never
    // crosses (R21). An origin that closes closes the client's connection too (R10); one that keeps
    // its connection keeps the client's: the rest of the body is read here and dropped (R19).
    void transparentRelaysAnEarlyRefusal_data()
    {
        QTest::addColumn<QByteArray>("refusal");
        QTest::addColumn<bool>("closes");
        QTest::newRow("keeps the connection")
            << QByteArray("HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\n") << false;
        QTest::newRow("closes") << QByteArray("HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n"
                                              "Connection: close\r\n\r\n")
                                << true;
    }
    void transparentRelaysAnEarlyRefusal()
    {
        QFETCH(QByteArray, refusal);
        QFETCH(bool, closes);
        ProxyPair p(reverseTo(ProxyMode::Transparent));
        p.clientSends(kExpectHead);
        p.clientSends("hel"); // a client that did not wait: held
        QVERIFY(!p.toUpstream.endsWith("hel"));
        p.upstreamSends(refusal);
        QCOMPARE(statusesIn(p.toClient), QList<int>{417});
        QCOMPARE(p.toClient.contains("Connection: close"), closes);
        QVERIFY(!p.toUpstream.endsWith("hel"));
        QVERIFY(p.decisions().contains("stop_upload"));
        QCOMPARE(p.downstreamHalfClosed, closes);
        if (closes)
            return;
        // The rest of the first body, then the client's retry without Expect, on the same connection.
        p.clientSends("lo" + QByteArray("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok"));
        QCOMPARE(p.upstreamConnections, 2); // the first could not be reused: its body was cut (R19)
        QCOMPARE(p.toUpstream.count("POST /upload HTTP/1.1\r\n"), 2);
        QVERIFY(p.toUpstream.endsWith("\r\n\r\nok"));
    }

    // The hold is bounded: an origin that never sends 100 gets the body after expectTimeoutMs (R5).
    void transparentHoldEndsAfterTheBound()
    {
        ProxyPair p(reverseTo(ProxyMode::Transparent), *ServerPolicy::parse(QStringLiteral("ignore")));
        p.clientSends(kExpectHead + "hello");
        QVERIFY(p.fromOrigin.isEmpty());
        p.advance(999);
        QVERIFY(!p.toUpstream.endsWith("hello"));
        p.advance(1);
        QVERIFY(p.toUpstream.endsWith("hello"));
        QCOMPARE(statusesIn(p.toClient), QList<int>{200});
        QVERIFY(p.decisions().contains("release_body"));
        const TimelineEvent release = *std::find_if(p.events.cbegin(), p.events.cend(), [](const TimelineEvent &e) {
            return e.decision == ProxyDecision::ReleaseBody;
        });
        QCOMPARE(release.rule, QStringLiteral("R5"));
    }

    // Each mode against an origin under a policy: what the client gets, what the origin sees, and
    // the decisions the proxy records. The client sends its body after whatever came (as after its
    // own timer), unless a final came first.
    void modes_data()
    {
        QTest::addColumn<ProxyMode>("mode");
        QTest::addColumn<QString>("policy");
        QTest::addColumn<QList<int>>("client"); // the statuses the client gets, in order
        QTest::addColumn<bool>("originExpect"); // the origin saw Expect
        QTest::addColumn<int>("originMinor");   // HTTP/1.x of the origin's request
        QTest::addColumn<bool>("originBody");   // the origin read the body
        QTest::addColumn<QStringList>("decisions");

        using M = ProxyMode;
        QTest::newRow("transparent, continue") << M::Transparent << "continue" << QList<int>{100, 200} << true << 1
                                               << true << QStringList{"forward_expect", "hold_body", "release_body"};
        QTest::newRow("transparent, reject") << M::Transparent << "reject" << QList<int>{417} << true << 1 << false
                                             << QStringList{"forward_expect", "hold_body", "stop_upload"};
        QTest::newRow("transparent, final:413") << M::Transparent << "final:413" << QList<int>{413} << true << 1
                                                << false << QStringList{"forward_expect", "hold_body", "stop_upload"};
        QTest::newRow("answer-100, continue") << M::Answer100 << "continue" << QList<int>{100, 200} << false << 1
                                              << true << QStringList{"own_100", "strip_expect"};
        // The origin would refuse, but never learns that the client asked (envoyproxy/envoy#2325).
        QTest::newRow("answer-100, reject") << M::Answer100 << "reject" << QList<int>{100, 200} << false << 1 << true
                                            << QStringList{"own_100", "strip_expect"};
        QTest::newRow("buffer, continue") << M::Buffer << "continue" << QList<int>{100, 200} << false << 1 << true
                                          << QStringList{"own_100", "buffer_body", "strip_expect", "buffered"};
        QTest::newRow("reject-expect") << M::RejectExpect << "continue" << QList<int>{417} << false << 1 << false
                                       << QStringList{"reject_expect"};
        QTest::newRow("http10-upstream, continue")
            << M::Http10Upstream << "continue" << QList<int>{100, 200} << false << 0 << true
            << QStringList{"own_100", "http10_upstream", "strip_expect"};
        QTest::newRow("double-100, continue") << M::Double100 << "continue" << QList<int>{100, 100, 200} << true << 1
                                              << true << QStringList{"own_100", "hold_body", "release_body"};
        QTest::newRow("strip-expect, continue")
            << M::StripExpect << "continue" << QList<int>{200} << false << 1 << true << QStringList{"strip_expect"};
    }
    void modes()
    {
        QFETCH(ProxyMode, mode);
        QFETCH(QString, policy);
        QFETCH(QList<int>, client);
        QFETCH(bool, originExpect);
        QFETCH(int, originMinor);
        QFETCH(bool, originBody);
        QFETCH(QStringList, decisions);

        ProxyPair p(reverseTo(mode), *ServerPolicy::parse(policy));
        p.clientSends(kExpectHead);
        if (!statusesIn(p.toClient).contains(417) && !statusesIn(p.toClient).contains(413))
            p.clientSends("hello");
        QCOMPARE(statusesIn(p.toClient), client);
        const QList<MessageHead> requests = requestsIn(p.toUpstream);
        if (mode == ProxyMode::RejectExpect) {
            QCOMPARE(p.upstreamConnections, 0);
        } else {
            QCOMPARE(requests.size(), 1);
            QCOMPARE(requests.first().hasHeader("Expect"), originExpect);
            QCOMPARE(requests.first().versionMinor, originMinor);
        }
        QCOMPARE(p.toUpstream.endsWith("hello"), originBody);
        QCOMPARE(p.decisions(), decisions);
    }

    // Buffer: the origin sees nothing until the whole body is read, then a Content-Length head.
    void bufferSendsNothingBeforeTheWholeBody()
    {
        ProxyPair p(reverseTo(ProxyMode::Buffer), *ServerPolicy::parse(QStringLiteral("continue")));
        p.clientSends("PUT /f HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n");
        QCOMPARE(statusesIn(p.toClient), QList<int>{100});
        p.clientSends("3\r\nabc\r\n");
        QCOMPARE(p.upstreamConnections, 0);
        p.clientSends("2\r\nde\r\n0\r\n\r\n");
        const QList<MessageHead> requests = requestsIn(p.toUpstream);
        QCOMPARE(requests.size(), 1);
        QCOMPARE(requests.first().contentLength(), std::optional<qint64>(5));
        QVERIFY(!requests.first().isChunked());
        QVERIFY(p.toUpstream.endsWith("\r\n\r\nabcde"));
        QCOMPARE(statusesIn(p.toClient), (QList<int>{100, 200}));
    }

    // The upstream cannot be reached, never answers, or breaks off: the client gets a status that
    // says why, as JSON, and the proxy records the decision.
    void upstreamFailures()
    {
        {
            ProxyPair p(reverseTo(ProxyMode::Transparent));
            p.refuseUpstream = true;
            p.clientSends("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            QCOMPARE(statusesIn(p.toClient), QList<int>{502});
            const QByteArray body = p.toClient.mid(p.toClient.indexOf("\r\n\r\n") + 4);
            const QJsonObject o = QJsonDocument::fromJson(body).object();
            QCOMPARE(o.value("error").toString(), QStringLiteral("bad_gateway"));
            QVERIFY2(o.value("reason").toString().contains("Connection refused"), body.constData());
            QVERIFY(p.decisions().contains("bad_gateway"));
        }
        {
            ProxyConfig c = reverseTo(ProxyMode::Transparent);
            c.answerTimeoutMs = 500;
            ProxyPair p(c);
            p.clientSends("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            p.advance(499);
            QVERIFY(p.toClient.isEmpty());
            p.advance(1);
            QCOMPARE(statusesIn(p.toClient), QList<int>{504});
            QVERIFY(p.decisions().contains("gateway_timeout"));
            QCOMPARE(p.upstreamClosings, 1);
        }
        {
            ProxyPair p(reverseTo(ProxyMode::Transparent));
            p.clientSends("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            p.upstreamSends("this is not http\r\n\r\n");
            QCOMPARE(statusesIn(p.toClient), QList<int>{502});
        }
        {
            // Cut in the middle of the response body: the client's response is cut too.
            ProxyPair p(reverseTo(ProxyMode::Transparent));
            p.clientSends("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            p.upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
            p.upstreamHangsUp(true);
            QCOMPARE(statusesIn(p.toClient), QList<int>{200});
            QVERIFY(p.toClient.endsWith("abc"));
            QVERIFY(p.downstreamClosed);
        }
    }

    // The client leaves mid-body: the upstream request is given up and its connection closed.
    void clientGoneAbortsTheUpstream()
    {
        ProxyPair p(reverseTo(ProxyMode::Answer100));
        p.clientSends(kExpectHead + "he");
        QCOMPARE(p.upstreamConnections, 1);
        p.clientCloses(true);
        QVERIFY(p.decisions().contains("client_gone"));
        QCOMPARE(p.upstreamClosings, 1);
        QVERIFY(!p.upstreamOpen);
    }

    // Keep-alive on both hops: a second request reuses the upstream connection, and is not read
    // before the first is answered.
    void keepAliveOnBothHops()
    {
        ProxyPair p(reverseTo(ProxyMode::Transparent), *ServerPolicy::parse(QStringLiteral("continue")));
        p.clientSends("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n");
        QCOMPARE(statusesIn(p.toClient), (QList<int>{200, 200}));
        QCOMPARE(p.upstreamConnections, 1);
        const QList<MessageHead> requests = requestsIn(p.toUpstream);
        QCOMPARE(requests.size(), 2);
        QCOMPARE(requests.at(0).target, QByteArray("/a"));
        QCOMPARE(requests.at(1).target, QByteArray("/b"));
        QCOMPARE(p.ids.nextExchange, 3);
    }

    // Response framing crosses as the client can read it: chunked stays chunked, a body delimited
    // by the close closes the client's connection too, HTTP/1.0 clients never see chunks.
    void responseFraming()
    {
        {
            ProxyPair p(reverseTo(ProxyMode::Transparent));
            p.clientSends("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            p.upstreamSends("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
            QVERIFY2(
                p.toClient.endsWith("Transfer-Encoding: chunked\r\nVia: 1.1 expectlab\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
                p.toClient.constData());
            QVERIFY(!p.downstreamHalfClosed);
        }
        {
            ProxyPair p(reverseTo(ProxyMode::Transparent));
            p.clientSends("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            p.upstreamSends("HTTP/1.1 200 OK\r\n\r\nuntil the end");
            p.upstreamHangsUp();
            QVERIFY(p.toClient.endsWith("Connection: close\r\n\r\nuntil the end"));
            QVERIFY(p.downstreamHalfClosed);
        }
        {
            ProxyPair p(reverseTo(ProxyMode::Transparent));
            p.clientSends("GET / HTTP/1.0\r\nHost: x\r\n\r\n");
            p.upstreamSends("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
            QVERIFY(!p.toClient.contains("chunked"));
            QVERIFY(p.toClient.endsWith("\r\n\r\nabc"));
            QVERIFY(p.downstreamHalfClosed);
        }
    }

    // A forward proxy: absolute-form targets, loopback only unless allowed (no open relay).
    void forwardTargets_data()
    {
        QTest::addColumn<QByteArray>("target");
        QTest::addColumn<bool>("allowRemote");
        QTest::addColumn<int>("refusal"); // 0: forwarded
        QTest::addColumn<QString>("origin");
        QTest::addColumn<QByteArray>("upstreamTarget");
        QTest::addColumn<QByteArray>("host");

        QTest::newRow("loopback") << QByteArray("http://127.0.0.1:9000/up?x=1") << false << 0 << "http://127.0.0.1:9000"
                                  << QByteArray("/up?x=1") << QByteArray("127.0.0.1:9000");
        QTest::newRow("localhost, port 80") << QByteArray("http://localhost/") << false << 0 << "http://localhost:80"
                                            << QByteArray("/") << QByteArray("localhost");
        QTest::newRow("ipv6 loopback") << QByteArray("http://[::1]:81") << false << 0 << "http://[::1]:81"
                                       << QByteArray("/") << QByteArray("[::1]:81");
        QTest::newRow("remote refused") << QByteArray("http://192.0.2.1/") << false << 403 << QString() << QByteArray()
                                        << QByteArray();
        QTest::newRow("remote allowed") << QByteArray("http://192.0.2.1/") << true << 0 << "http://192.0.2.1:80"
                                        << QByteArray("/") << QByteArray("192.0.2.1");
        QTest::newRow("origin-form") << QByteArray("/just/a/path") << false << 400 << QString() << QByteArray()
                                     << QByteArray();
        QTest::newRow("https in absolute-form")
            << QByteArray("https://127.0.0.1/") << false << 400 << QString() << QByteArray() << QByteArray();
    }
    void forwardTargets()
    {
        QFETCH(QByteArray, target);
        QFETCH(bool, allowRemote);
        QFETCH(int, refusal);
        QFETCH(QString, origin);
        QFETCH(QByteArray, upstreamTarget);
        QFETCH(QByteArray, host);
        ProxyConfig c;
        c.forward = true;
        c.allowRemote = allowRemote;
        ProxyPair p(c);
        p.clientSends("GET " + target + " HTTP/1.1\r\nHost: ignored.example\r\n\r\n");
        if (refusal != 0) {
            QCOMPARE(statusesIn(p.toClient), QList<int>{refusal});
            QCOMPARE(p.upstreamConnections, 0);
            QCOMPARE(p.decisions(), QStringList{"refused_target"});
            return;
        }
        QCOMPARE(p.relay.upstreamOrigin().toString(), origin);
        const QList<MessageHead> requests = requestsIn(p.toUpstream);
        QCOMPARE(requests.size(), 1);
        QCOMPARE(requests.first().target, upstreamTarget);
        QCOMPARE(requests.first().header("Host"), std::optional<QByteArray>(host));
    }

    // CONNECT (RFC 9110 9.3.6): a tunnel of raw bytes both ways, recorded, not parsed; bytes the
    // client sent right after its CONNECT wait for the tunnel and are never read as HTTP.
    void connectOpensATunnel()
    {
        ProxyConfig c;
        c.forward = true;
        ProxyPair p(c);
        p.clientSends("CONNECT 127.0.0.1:9443 HTTP/1.1\r\nHost: 127.0.0.1:9443\r\n\r\n\x16\x03\x01hello");
        QCOMPARE(p.relay.upstreamOrigin().toString(), QStringLiteral("http://127.0.0.1:9443"));
        QCOMPARE(p.toClient, QByteArray("HTTP/1.1 200 Connection Established\r\n\r\n"));
        QCOMPARE(p.toUpstream, QByteArray("\x16\x03\x01hello"));
        p.upstreamSends("\x16\x03\x03server hello");
        QVERIFY(p.toClient.endsWith("\x16\x03\x03server hello"));
        p.clientSends("more");
        QVERIFY(p.toUpstream.endsWith("more"));
        p.upstreamHangsUp();
        QCOMPARE(p.decisions(), (QStringList{"tunnel", "tunnel_closed", "tunnel_closed"}));
        for (const TimelineEvent &e : std::as_const(p.events)) {
            if (e.decision == ProxyDecision::TunnelClosed)
                QCOMPARE(e.bytes, e.hop == Hop::Downstream ? 12 : 15);
        }
        QVERIFY(p.downstreamHalfClosed);
    }

    void connectRefusals_data()
    {
        QTest::addColumn<bool>("forward");
        QTest::addColumn<QByteArray>("target");
        QTest::addColumn<int>("status");
        QTest::newRow("reverse proxy") << false << QByteArray("127.0.0.1:443") << 405;
        QTest::newRow("not loopback") << true << QByteArray("192.0.2.1:443") << 403;
        QTest::newRow("no port") << true << QByteArray("127.0.0.1") << 400;
        QTest::newRow("a path") << true << QByteArray("127.0.0.1:443/x") << 400;
    }
    void connectRefusals()
    {
        QFETCH(bool, forward);
        QFETCH(QByteArray, target);
        QFETCH(int, status);
        ProxyConfig c = reverseTo(ProxyMode::Transparent);
        c.forward = forward;
        ProxyPair p(c);
        p.clientSends("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n");
        QCOMPARE(statusesIn(p.toClient), QList<int>{status});
        QCOMPARE(p.upstreamConnections, 0);
    }

    // A buffered body stays in memory up to a bound, the rest in a temporary file that goes with the
    // spool; read back it is the same bytes.
    void spoolKeepsBigBodiesOnDisk()
    {
        QString path;
        {
            BodySpool spool(1000);
            QString error;
            QVERIFY(spool.append(QByteArray(600, 'a'), &error));
            QVERIFY(!spool.onDisk());
            QVERIFY(spool.append(QByteArray(600, 'b'), &error));
            QVERIFY(spool.onDisk());
            path = spool.filePath();
            QVERIFY(QFile::exists(path));
            QCOMPARE(spool.size(), 1200);
            QByteArray back;
            for (QByteArray part; !(part = spool.read(500, &error)).isEmpty();)
                back += part;
            QVERIFY2(error.isEmpty(), qPrintable(error));
            QCOMPARE(back, QByteArray(600, 'a') + QByteArray(600, 'b'));
            QCOMPARE(spool.remaining(), 0);
        }
        QVERIFY(!QFile::exists(path));
    }

    // Buffer mode with a body over the memory bound: spooled, sent whole with its Content-Length.
    void bufferSpoolsABigBody()
    {
        ProxyConfig c = reverseTo(ProxyMode::Buffer);
        c.spoolMemoryBytes = 4096;
        ProxyPair p(c, *ServerPolicy::parse(QStringLiteral("continue")));
        p.clientSends("PUT /big HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\nExpect: 100-continue\r\n\r\n");
        for (int i = 0; i < 10; ++i)
            p.clientSends(QByteArray(10000, char('a' + i)));
        QCOMPARE(statusesIn(p.toClient), (QList<int>{100, 200}));
        const QList<MessageHead> requests = requestsIn(p.toUpstream);
        QCOMPARE(requests.first().contentLength(), std::optional<qint64>(100000));
        QVERIFY(p.toUpstream.endsWith(QByteArray(10000, 'j')));
        const auto buffered = std::find_if(p.events.cbegin(), p.events.cend(), [](const TimelineEvent &e) {
            return e.decision == ProxyDecision::Buffered;
        });
        QVERIFY(buffered != p.events.cend());
        QVERIFY2(buffered->detail.contains(QLatin1String("temporary file")), qPrintable(buffered->detail));
    }

    // What a proxy rewrites (RFC 9110 7.6): hop-by-hop fields stay on their hop, Via is added.
    void messages()
    {
        const HttpHeaders in{{"Connection", "keep-alive, X-Hop"},
                             {"X-Hop", "1"},
                             {"Keep-Alive", "timeout=5"},
                             {"TE", "trailers"},
                             {"Upgrade", "h2c"},
                             {"Proxy-Connection", "close"},
                             {"X-End", "2"},
                             {"Transfer-Encoding", "chunked"}};
        QCOMPARE(withoutHopByHop(in), (HttpHeaders{{"X-End", "2"}, {"Transfer-Encoding", "chunked"}}));
        MessageHead http10;
        http10.versionMinor = 0;
        QCOMPARE(viaField(http10), HttpHeader("Via", "1.0 expectlab"));
        QCOMPARE(authorityOf(QUrl("https://[::1]:443/x")), QByteArray("[::1]"));
        QCOMPARE(authorityOf(QUrl("http://h:8080")), QByteArray("h:8080"));
        QCOMPARE(originFormTarget(QUrl("http://h/a%20b?q=1")), QByteArray("/a%20b?q=1"));
        QVERIFY(isLoopbackHost("127.0.0.2") && isLoopbackHost("::1") && isLoopbackHost("LOCALHOST"));
        QVERIFY(!isLoopbackHost("10.0.0.1") && !isLoopbackHost("example.com"));
        QCOMPARE(parseProxyMode(" Answer-100 "), std::optional(ProxyMode::Answer100));
        QString error;
        QVERIFY(!parseProxyMode("envoy", &error));
        QVERIFY(error.contains("transparent, answer-100, buffer"));
    }
};

QTEST_GUILESS_MAIN(TestProxyConnection)
#include "tst_proxyconnection.moc"
