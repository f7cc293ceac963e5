// The client profiler: how a foreign client waits for 100, what it does after a 417 or another early
// final status. First on hand-made server event sequences, then on real clients (curl, Python's
// http.client) talking to the real test server, classified as expect-rules.md's client table says.
#include "clientprofiler.h"
#include "httpparser.h"
#include "monotonicclock.h"
#include "peerprocess.h"
#include "requirepeer.h"
#include "testserver.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>

#include <memory>

using namespace expectlab;
using namespace testsupport;

namespace {
constexpr qint64 kMs = 1'000'000;

TimelineEvent ev(qint64 tMs, int conn, EventKind kind, int status = 0, const QString &detail = {})
{
    TimelineEvent e;
    e.tNs = tMs * kMs;
    e.side = Side::Server;
    e.conn = conn;
    e.kind = kind;
    e.status = status;
    e.detail = detail;
    return e;
}

// A head event as ServerConnection records it: the head itself, parsed by our llhttp parser.
TimelineEvent headEv(qint64 tMs, int conn, const QByteArray &raw)
{
    TimelineEvent e = ev(tMs, conn, EventKind::Head);
    const QList<MessageHead> heads = headsIn(HttpParser::Kind::Request, raw);
    if (!heads.isEmpty())
        e.withHead(heads.first());
    return e;
}

TimelineEvent closedEv(qint64 tMs, int conn, Closer by, qint64 before = -1, qint64 after = -1)
{
    TimelineEvent e = ev(tMs, conn, EventKind::Closed);
    e.closedBy = by;
    e.bytesBeforeFinal = before;
    e.bytesAfterFinal = after;
    return e;
}

const QByteArray kExpectHead = "POST /u HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n";
const QByteArray kPlainHead = "POST /u HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n";

// "key=value; key=value" -> map
QMap<QString, QString> fields(const QString &detail)
{
    QMap<QString, QString> out;
    for (const QString &kv : detail.split(QStringLiteral("; ")))
        out.insert(kv.section(QLatin1Char('='), 0, 0), kv.section(QLatin1Char('='), 1));
    return out;
}

bool matches(const QMap<QString, QString> &got, const QStringList &expected, QString *why)
{
    for (const QString &kv : expected) {
        const QString key = kv.section(QLatin1Char('='), 0, 0);
        const QString value = kv.section(QLatin1Char('='), 1);
        if (value == QLatin1String("<absent>") ? got.contains(key) : got.value(key) != value) {
            *why = QStringLiteral("%1: got '%2'").arg(kv, got.value(key));
            return false;
        }
    }
    return true;
}

// A server that answers 417 *without* Connection: close, so a client may retry on the same
// connection (the test server's reject policy always closes). It reports the same TimelineEvents as
// ServerConnection, with the head described the same way, for the profiler to consume.
class KeepAlive417Peer : public QObject
{
    Q_OBJECT
public:
    KeepAlive417Peer()
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection())
                adopt(s);
        });
    }
    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    QString url() const { return QStringLiteral("http://127.0.0.1:%1/upload").arg(m_server.serverPort()); }

signals:
    void eventRecorded(const expectlab::TimelineEvent &event);

private:
    struct Conn
    {
        int id = 0;
        QByteArray buffer;
        qint64 bodyLeft = -1; // -1: reading a head
        qint64 bodyTotal = 0;
    };

    void record(int conn, EventKind kind, int status = 0, const QString &detail = {})
    {
        TimelineEvent e;
        e.tNs = monotonicNowNs();
        e.side = Side::Server;
        e.conn = conn;
        e.kind = kind;
        e.status = status;
        e.detail = detail;
        emit eventRecorded(e);
    }

    void adopt(QTcpSocket *s)
    {
        s->setParent(this);
        auto conn = std::make_shared<Conn>();
        conn->id = ++m_nextId;
        record(conn->id, EventKind::Accepted);
        connect(s, &QTcpSocket::readyRead, this, [this, s, conn] { onData(s, *conn); });
        connect(s, &QTcpSocket::disconnected, this, [this, s, conn] {
            record(conn->id, EventKind::Closed, 0, QStringLiteral("peer closed the connection"));
            s->deleteLater();
        });
    }

    void onData(QTcpSocket *s, Conn &c)
    {
        c.buffer += s->readAll();
        for (int guard = 0; guard < 16; ++guard) {
            if (c.bodyLeft < 0) {
                const qsizetype end = c.buffer.indexOf("\r\n\r\n");
                if (end < 0)
                    return;
                const QByteArray rawHead = c.buffer.left(end);
                const QList<QByteArray> lines = rawHead.split('\n');
                c.buffer.remove(0, end + 4);
                QString detail = QString::fromLatin1(lines.value(0).trimmed());
                QByteArray expect;
                qint64 length = 0;
                for (const QByteArray &raw : lines.mid(1)) {
                    const QByteArray line = raw.trimmed();
                    const qsizetype colon = line.indexOf(':');
                    const QByteArray name = line.left(colon).trimmed().toLower();
                    const QByteArray value = line.mid(colon + 1).trimmed();
                    if (name == "expect")
                        expect = value;
                    else if (name == "content-length")
                        length = value.toLongLong();
                }
                TimelineEvent head =
                    TimelineEvent::at(monotonicNowNs(), Side::Server, c.id, EventKind::Head, 0, -1, detail);
                const QList<MessageHead> heads = headsIn(HttpParser::Kind::Request, rawHead + "\r\n\r\n");
                if (!heads.isEmpty())
                    head.withHead(heads.first());
                emit eventRecorded(head);
                if (!expect.isEmpty()) {
                    // The body will not come: the client learns so from the 417 (it must not send it).
                    s->write("HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\n");
                    record(c.id, EventKind::FinalSent, 417, QStringLiteral("417 without Connection: close"));
                    continue;
                }
                c.bodyLeft = length;
                c.bodyTotal = length;
            }
            if (c.bodyLeft > 0 && !c.buffer.isEmpty()) {
                if (c.bodyLeft == c.bodyTotal)
                    record(c.id, EventKind::BodyStart);
                const qint64 take = qMin<qint64>(c.bodyLeft, c.buffer.size());
                c.buffer.remove(0, take);
                c.bodyLeft -= take;
            }
            if (c.bodyLeft > 0)
                return;
            if (c.bodyTotal > 0)
                record(c.id, EventKind::BodyDone);
            s->write("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n");
            record(c.id, EventKind::FinalSent, 200);
            c.bodyLeft = -1;
        }
    }

    QTcpServer m_server;
    int m_nextId = 0;
};
} // namespace

class TstClientProfiler : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void sequences_data();
    void sequences();
    void keepsOnlyRecentProfiles();
    void curl_data();
    void curl();
    void curlRetriesOnTheSameConnectionAfter417WithoutClose();
    void pythonHttpClient_data();
    void pythonHttpClient();
    void clientsThatWait_data();
    void clientsThatWait();
    void httpxTimesAreConsistent();
    void serveEventsPrintsProfiles();

private:
    QTemporaryDir m_dir;
    QString m_curl;
};

void TstClientProfiler::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_curl = findProgram(QStringLiteral("curl"));
    // Bodies around curl's 1 MiB threshold for Expect (expect-rules.md, clients table).
    for (qint64 size : {qint64(1048576), qint64(1048577)}) {
        QFile f(m_dir.filePath(QStringLiteral("body-%1").arg(size)));
        QVERIFY(f.open(QIODevice::WriteOnly));
        QVERIFY(f.write(QByteArray(size, 'b')) == size);
    }
}

void TstClientProfiler::keepsOnlyRecentProfiles()
{
    // A server that runs for days: every request still gets its profile event, but the profiler
    // itself keeps only the recent ones.
    ClientProfiler profiler;
    const int requests = int(ClientProfiler::kKeptProfiles) + 50;
    int profileEvents = 0;
    for (int conn = 1; conn <= requests; ++conn) {
        for (const TimelineEvent &e : {ev(conn, conn, EventKind::Accepted), headEv(conn, conn, kExpectHead),
                                       ev(conn, conn, EventKind::InterimSent, 100),
                                       ev(conn, conn, EventKind::BodyStart), ev(conn, conn, EventKind::BodyDone),
                                       ev(conn, conn, EventKind::FinalSent, 200), closedEv(conn, conn, Closer::Peer)})
            profileEvents += int(profiler.consume(e).size());
    }
    QCOMPARE(profileEvents, requests);
    QCOMPARE(profiler.profiles().size(), ClientProfiler::kKeptProfiles);
}

void TstClientProfiler::sequences_data()
{
    QTest::addColumn<QList<TimelineEvent>>("events");
    QTest::addColumn<QList<QStringList>>("profiles");

    const QByteArray head = kExpectHead;
    const QByteArray plain = kPlainHead;
    QTest::newRow("waits until the 100")
        << QList<TimelineEvent>{ev(0, 1, EventKind::Accepted),         headEv(1, 1, head),
                                ev(1, 1, EventKind::InterimSent, 100), ev(2, 1, EventKind::BodyStart),
                                ev(2, 1, EventKind::BodyDone),         ev(2, 1, EventKind::FinalSent, 200)}
        << QList<QStringList>{{"expect=100-continue", "wait=until-100", "interim=100", "final=200", "wait_ms=1.0"}};
    QTest::newRow("sends anyway after 1 s (R5)")
        << QList<TimelineEvent>{ev(0, 1, EventKind::Accepted), headEv(1, 1, head), ev(1001, 1, EventKind::BodyStart),
                                ev(1001, 1, EventKind::BodyDone), ev(1001, 1, EventKind::FinalSent, 200)}
        << QList<QStringList>{{"wait=bounded", "wait_ms=1000.0", "sent_anyway=yes", "final=200"}};
    QTest::newRow("does not wait (R4)") << QList<TimelineEvent>{ev(0, 1, EventKind::Accepted), headEv(1, 1, head),
                                                                ev(1, 1, EventKind::BodyStart),
                                                                ev(1, 1, EventKind::BodyDone),
                                                                ev(1, 1, EventKind::FinalSent, 200)}
                                        << QList<QStringList>{{"wait=none", "sent_anyway=<absent>"}};
    QTest::newRow("no Expect") << QList<TimelineEvent>{ev(0, 1, EventKind::Accepted), headEv(1, 1, plain),
                                                       ev(1, 1, EventKind::BodyStart), ev(1, 1, EventKind::BodyDone),
                                                       ev(1, 1, EventKind::FinalSent, 200)}
                               << QList<QStringList>{{"expect=none", "wait=none", "content_length=10"}};
    QTest::newRow("417, closes, retries on a new connection (R6)")
        << QList<TimelineEvent>{ev(0, 1, EventKind::Accepted),       headEv(1, 1, head),
                                ev(1, 1, EventKind::FinalSent, 417), closedEv(3, 1, Closer::Peer, 0, 0),
                                ev(5, 2, EventKind::Accepted),       headEv(6, 2, plain),
                                ev(6, 2, EventKind::BodyStart),      ev(6, 2, EventKind::BodyDone),
                                ev(6, 2, EventKind::FinalSent, 200)}
        // It waited for the 100 and got the 417: a wait until the final, not "no body" (case 17).
        << QList<QStringList>{{"final=417", "early_final=stopped-closed", "wait=until-final", "closed_after_ms=2.0"},
                              {"retry=new-connection", "retry_of=1", "retry_after_ms=5.0", "expect=none", "final=200"}};
    QTest::newRow("417, retries on the same connection (R6)")
        << QList<TimelineEvent>{ev(0, 1, EventKind::Accepted),       headEv(1, 1, head),
                                ev(1, 1, EventKind::FinalSent, 417), headEv(2, 1, plain),
                                ev(2, 1, EventKind::BodyStart),      ev(2, 1, EventKind::BodyDone),
                                ev(2, 1, EventKind::FinalSent, 200)}
        << QList<QStringList>{{"final=417", "early_final=reused"},
                              {"request=2", "retry=same-connection", "retry_of=1", "retry_after_ms=1.0"}};
    // Issue 14: a user sending the same request with Expect again after a 417 is not R6's retry.
    QTest::newRow("417, then the same request with Expect again: no retry")
        << QList<TimelineEvent>{ev(0, 1, EventKind::Accepted),         headEv(1, 1, head),
                                ev(1, 1, EventKind::FinalSent, 417),   closedEv(3, 1, Closer::Peer, 0, 0),
                                ev(5, 2, EventKind::Accepted),         headEv(6, 2, head),
                                ev(6, 2, EventKind::InterimSent, 100), ev(7, 2, EventKind::BodyStart),
                                ev(7, 2, EventKind::BodyDone),         ev(7, 2, EventKind::FinalSent, 200)}
        << QList<QStringList>{{"final=417"}, {"retry=<absent>", "expect=100-continue", "final=200"}};
    QTest::newRow("early 413, keeps sending")
        << QList<TimelineEvent>{ev(0, 1, EventKind::Accepted), headEv(1, 1, head), ev(1, 1, EventKind::FinalSent, 413),
                                closedEv(4, 1, Closer::Peer, 0, 10)}
        << QList<QStringList>{{"final=413", "early_final=kept-sending", "bytes_after_final=10"}};
    // The body came with the head, before our 413 left: it did not wait at all (case 17).
    QTest::newRow("early 413, whole body before it left")
        << QList<TimelineEvent>{ev(0, 1, EventKind::Accepted), headEv(1, 1, head), ev(1, 1, EventKind::BodyStart),
                                ev(2, 1, EventKind::FinalSent, 413), closedEv(4, 1, Closer::Peer, 10, 0)}
        << QList<QStringList>{{"final=413", "wait=none", "bytes_before_final=10", "bytes_after_final=<absent>"}};
    // Case 16: the body reached us before our 100 left (httpx): it did not wait for the 100.
    QTest::newRow("body before the 100 left")
        << QList<TimelineEvent>{ev(0, 1, EventKind::Accepted),  headEv(1, 1, head),
                                ev(1, 1, EventKind::BodyStart), ev(2, 1, EventKind::InterimSent, 100),
                                ev(2, 1, EventKind::BodyDone),  ev(3, 1, EventKind::FinalSent, 200)}
        << QList<QStringList>{{"wait=none", "interim=100"}};
    // Case 18: garbage is no final status, and our FIN first is no giving up.
    QTest::newRow("garbage, we close first")
        << QList<TimelineEvent>{ev(0, 1, EventKind::Accepted), headEv(1, 1, head), ev(1, 1, EventKind::GarbageSent),
                                closedEv(3, 1, Closer::Local, 0, 0)}
        << QList<QStringList>{{"final=garbage", "closed_by=server", "gave_up=<absent>"}};
    // Review: under policy close, a body sent with the head is a body that did not wait.
    QTest::newRow("policy close, body at once")
        << QList<TimelineEvent>{ev(0, 1, EventKind::Accepted), headEv(1, 1, head), ev(1, 1, EventKind::BodyStart),
                                closedEv(2, 1, Closer::Local)}
        << QList<QStringList>{{"wait=none", "closed_by=server", "gave_up=<absent>"}};
    QTest::newRow("policy close: our FIN first, the client did not give up")
        << QList<TimelineEvent>{ev(0, 1, EventKind::Accepted), headEv(1, 1, head), closedEv(2, 1, Closer::Local)}
        << QList<QStringList>{{"final=none", "gave_up=<absent>", "closed_by=server", "wait=until-close"}};
    // Case 12: Expect without content breaks R2, and the profile says so.
    QTest::newRow("Expect without content (R2)")
        << QList<TimelineEvent>{ev(0, 1, EventKind::Accepted),
                                headEv(
                                    1, 1,
                                    "POST /u HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n"),
                                ev(1, 1, EventKind::FinalSent, 200)}
        << QList<QStringList>{{"expect_without_content=yes", "wait=no-body"}};
    QTest::newRow("gives up before any answer")
        << QList<TimelineEvent>{ev(0, 1, EventKind::Accepted), headEv(1, 1, head), closedEv(5001, 1, Closer::Peer)}
        // A wait that the close ended is a wait of that length (case 17).
        << QList<QStringList>{{"final=none", "gave_up=yes", "wait=until-close", "wait_ms=5000.0"}};
    QTest::newRow("a 417 long ago is no retry")
        << QList<TimelineEvent>{ev(0, 1, EventKind::Accepted),          headEv(1, 1, head),
                                ev(1, 1, EventKind::FinalSent, 417),    closedEv(2, 1, Closer::Peer),
                                ev(20000, 2, EventKind::Accepted),      headEv(20001, 2, plain),
                                ev(20001, 2, EventKind::BodyStart),     ev(20001, 2, EventKind::BodyDone),
                                ev(20001, 2, EventKind::FinalSent, 200)}
        << QList<QStringList>{{"final=417"}, {"retry=<absent>"}};
}

void TstClientProfiler::sequences()
{
    QFETCH(QList<TimelineEvent>, events);
    QFETCH(QList<QStringList>, profiles);
    ClientProfiler profiler;
    QList<TimelineEvent> out;
    for (const TimelineEvent &e : events)
        out += profiler.consume(e);
    QCOMPARE(out.size(), profiles.size());
    QCOMPARE(profiler.profiles().size(), profiles.size());
    for (qsizetype i = 0; i < out.size(); ++i) {
        QCOMPARE(out.at(i).kind, EventKind::Profile);
        QCOMPARE(kindName(out.at(i).kind), QStringLiteral("profile"));
        QString why;
        QVERIFY2(matches(fields(out.at(i).detail), profiles.at(i), &why),
                 qPrintable(why + QStringLiteral(" in ") + out.at(i).detail));
    }
}

void TstClientProfiler::curl_data()
{
    QTest::addColumn<QString>("policy");
    QTest::addColumn<QStringList>("args"); // @BODY0 / @BODY1: 1,048,576 / 1,048,577 bytes
    QTest::addColumn<QString>("httpCode");
    QTest::addColumn<QStringList>("profile");
    QTest::addColumn<int>("minWaitMs");
    QTest::addColumn<int>("maxWaitMs");

    // curl 7.88: Expect only for bodies over 1 MiB; 1,048,576 bytes exactly: no Expect.
    QTest::newRow("1,048,576 bytes: no Expect")
        << "continue" << QStringList{"--data-binary", "@BODY0"} << "200"
        << QStringList{"expect=none", "wait=none", "final=200", "content_length=1048576"} << -1 << -1;
    QTest::newRow("1,048,577 bytes: Expect, waits for the 100")
        << "continue" << QStringList{"--data-binary", "@BODY1"} << "200"
        << QStringList{"expect=100-continue", "wait=until-100", "interim=100", "final=200"} << -1 << -1;
    QTest::newRow("no 100: sends anyway after --expect100-timeout 0.3")
        << "ignore" << QStringList{"--data-binary", "@BODY1", "--expect100-timeout", "0.3"} << "200"
        << QStringList{"expect=100-continue", "wait=bounded", "sent_anyway=yes", "final=200"} << 250 << 950;
    QTest::newRow("no 100: sends anyway after the default 1 s")
        << "ignore" << QStringList{"--data-binary", "@BODY1"} << "200"
        << QStringList{"expect=100-continue", "wait=bounded", "sent_anyway=yes", "final=200"} << 900 << 1900;
    // 417 with Connection: close: curl does not retry (expect-rules.md), it reports the 417.
    QTest::newRow("417 with Connection: close")
        << "reject" << QStringList{"--data-binary", "@BODY1"} << "417"
        << QStringList{"final=417", "wait=until-final", "early_final=stopped-closed", "retry=<absent>"} << -1 << -1;
    // An early final: curl stops sending, reads the response, closes.
    QTest::newRow("early 413") << "final:413" << QStringList{"--data-binary", "@BODY1"} << "413"
                               << QStringList{"final=413", "wait=until-final", "early_final=stopped-closed"} << -1
                               << -1;
    // Case 18: our FIN came first under close: curl did not give up; garbage is no final status.
    QTest::newRow("close: we close first")
        << "close" << QStringList{"--data-binary", "@BODY1"} << "000"
        << QStringList{"final=none", "closed_by=server", "gave_up=<absent>"} << -1 << -1;
    QTest::newRow("garbage") << "garbage" << QStringList{"--data-binary", "@BODY1"} << "000"
                             << QStringList{"final=garbage", "closed_by=server", "gave_up=<absent>"} << -1 << -1;
}

void TstClientProfiler::curl()
{
    QFETCH(QString, policy);
    QFETCH(QStringList, args);
    QFETCH(QString, httpCode);
    QFETCH(QStringList, profile);
    QFETCH(int, minWaitMs);
    QFETCH(int, maxWaitMs);
    EXPECTLAB_REQUIRE_PEER(!m_curl.isEmpty(), QStringLiteral("curl"));

    TestServer server;
    server.setPolicy(*ServerPolicy::parse(policy));
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    ClientProfiler profiler;
    QList<TimelineEvent> profiles;
    connect(&server, &TestServer::eventRecorded, this,
            [&](const TimelineEvent &e) { profiles += profiler.consume(e); });

    args.replaceInStrings(QStringLiteral("@BODY0"), QLatin1Char('@') + m_dir.filePath(QStringLiteral("body-1048576")));
    args.replaceInStrings(QStringLiteral("@BODY1"), QLatin1Char('@') + m_dir.filePath(QStringLiteral("body-1048577")));
    QProcess curl;
    curl.start(m_curl, QStringList{QStringLiteral("-s"), QStringLiteral("-o"), QStringLiteral("/dev/null"),
                                   QStringLiteral("-w"), QStringLiteral("%{http_code}"), QStringLiteral("--max-time"),
                                   QStringLiteral("20"), server.url() + QStringLiteral("upload")} +
                           args);
    QVERIFY(curl.waitForStarted(5000));
    // The server runs in this thread: spin the event loop until curl ends and its connection closed.
    QTRY_VERIFY_WITH_TIMEOUT(curl.state() == QProcess::NotRunning, 25000);
    QCOMPARE(QString::fromUtf8(curl.readAllStandardOutput()), httpCode);
    QTRY_VERIFY_WITH_TIMEOUT(server.connectionCount() == 0 && !profiles.isEmpty(), 5000);
    // One request, one profile: no retry after the 417 with Connection: close.
    QCOMPARE(profiles.size(), 1);
    const auto got = fields(profiles.first().detail);
    QString why;
    QVERIFY2(matches(got, profile, &why), qPrintable(why + QStringLiteral(" in ") + profiles.first().detail));
    if (minWaitMs >= 0) {
        const double waited = got.value(QStringLiteral("wait_ms")).toDouble();
        QVERIFY2(waited >= minWaitMs && waited <= maxWaitMs, qPrintable(profiles.first().detail));
    }
}

void TstClientProfiler::curlRetriesOnTheSameConnectionAfter417WithoutClose()
{
    EXPECTLAB_REQUIRE_PEER(!m_curl.isEmpty(), QStringLiteral("curl"));
    KeepAlive417Peer peer;
    QVERIFY(peer.listen());
    ClientProfiler profiler;
    QList<TimelineEvent> profiles;
    connect(&peer, &KeepAlive417Peer::eventRecorded, this,
            [&](const TimelineEvent &e) { profiles += profiler.consume(e); });
    QProcess curl;
    curl.start(m_curl, {QStringLiteral("-s"), QStringLiteral("-o"), QStringLiteral("/dev/null"), QStringLiteral("-w"),
                        QStringLiteral("%{http_code}"), QStringLiteral("--max-time"), QStringLiteral("20"),
                        QStringLiteral("--data-binary"),
                        QLatin1Char('@') + m_dir.filePath(QStringLiteral("body-1048577")), peer.url()});
    QVERIFY(curl.waitForStarted(5000));
    QTRY_VERIFY_WITH_TIMEOUT(curl.state() == QProcess::NotRunning, 25000);
    QCOMPARE(QString::fromUtf8(curl.readAllStandardOutput()), QStringLiteral("200"));
    QTRY_COMPARE_WITH_TIMEOUT(profiles.size(), 2, 5000);
    QString why;
    QVERIFY2(matches(fields(profiles.at(0).detail), {"expect=100-continue", "final=417", "early_final=reused"}, &why),
             qPrintable(why + QStringLiteral(" in ") + profiles.at(0).detail));
    // curl retries at once without Expect on the same connection (expect-rules.md; R6).
    QVERIFY2(matches(fields(profiles.at(1).detail),
                     {"request=2", "expect=none", "retry=same-connection", "retry_of=1", "final=200"}, &why),
             qPrintable(why + QStringLiteral(" in ") + profiles.at(1).detail));
    QCOMPARE(profiles.at(1).rule, QStringLiteral("R6"));
    QVERIFY(fields(profiles.at(1).detail).value(QStringLiteral("retry_after_ms")).toDouble() < 1000.0);
}

void TstClientProfiler::pythonHttpClient_data()
{
    QTest::addColumn<QString>("headers"); // Python dict literal
    QTest::addColumn<QStringList>("profile");
    // Python's http.client never sends Expect by itself (expect-rules.md, clients table)...
    QTest::newRow("default") << "{}" << QStringList{"expect=none", "wait=none", "final=200", "content_length=2000000"};
    // ...and with a hand-set Expect header it still sends the body at once (R4).
    QTest::newRow("hand-set Expect") << "{'Expect': '100-continue'}"
                                     << QStringList{"expect=100-continue", "wait=none", "final=200"};
}

void TstClientProfiler::pythonHttpClient()
{
    QFETCH(QString, headers);
    QFETCH(QStringList, profile);
    const QString python = pythonProgram();
    EXPECTLAB_REQUIRE_PEER(!python.isEmpty(), QStringLiteral("python3"));
    TestServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    ClientProfiler profiler;
    QList<TimelineEvent> profiles;
    connect(&server, &TestServer::eventRecorded, this,
            [&](const TimelineEvent &e) { profiles += profiler.consume(e); });
    const QString script = QStringLiteral("import http.client, sys\n"
                                          "c = http.client.HTTPConnection('127.0.0.1', %1, timeout=20)\n"
                                          "c.request('POST', '/upload', body=b'p' * 2000000, headers=%2)\n"
                                          "r = c.getresponse(); r.read(); print(r.status); c.close()\n")
                               .arg(server.port())
                               .arg(headers);
    QProcess p;
    p.start(python, {QStringLiteral("-c"), script});
    QVERIFY(p.waitForStarted(5000));
    QTRY_VERIFY_WITH_TIMEOUT(p.state() == QProcess::NotRunning, 25000);
    QCOMPARE(p.readAllStandardOutput().trimmed(), QByteArray("200"));
    QTRY_VERIFY_WITH_TIMEOUT(!profiles.isEmpty(), 5000);
    QString why;
    QVERIFY2(matches(fields(profiles.first().detail), profile, &why),
             qPrintable(why + QStringLiteral(" in ") + profiles.first().detail));
}

void TstClientProfiler::clientsThatWait_data()
{
    QTest::addColumn<QString>("client"); // node or aiohttp
    QTest::addColumn<QString>("policy");
    QTest::addColumn<QStringList>("profile");
    // Case 17: clients that wait for a 100 that never comes. Our body timeout (1 s here) ends the wait
    // with a 408: a wait of that length, not "no body".
    QTest::newRow("Node.js under ignore")
        << "node"
        << "ignore" << QStringList{"expect=100-continue", "wait=until-close", "final=408"};
    QTest::newRow("aiohttp under ignore")
        << "aiohttp"
        << "ignore" << QStringList{"expect=100-continue", "wait=until-close", "final=408"};
    // Case 17: the whole body at once, then our early 417: it did not wait (R4), and the bytes that
    // came before the 417 left are not "after the final".
    QTest::newRow("http.client, hand-set Expect, reject") << "http.client"
                                                          << "reject" << QStringList{"wait=none", "final=417"};
}

void TstClientProfiler::clientsThatWait()
{
    QFETCH(QString, client);
    QFETCH(QString, policy);
    QFETCH(QStringList, profile);
    QString program;
    QStringList args;
    TestServer server;
    server.setPolicy(*ServerPolicy::parse(policy));
    ServerLimits limits;
    limits.bodyTimeoutMs = 1000;
    server.setLimits(limits);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    const QString port = QString::number(server.port());
    if (client == QLatin1String("node")) {
        program = findProgram(QStringLiteral("node"));
        EXPECTLAB_REQUIRE_PEER(!program.isEmpty(), QStringLiteral("node (Debian package nodejs)"));
        // Node writes the body on the `continue` event only (expect-rules.md): it waits forever.
        args << QStringLiteral("-e")
             << QStringLiteral("const http = require('http'); const body = Buffer.alloc(100000, 'n');"
                               "const req = http.request({host: '127.0.0.1', port: %1, method: 'POST', path: '/up',"
                               " headers: {'Expect': '100-continue', 'Content-Length': body.length}});"
                               "req.on('continue', () => req.end(body));"
                               "req.on('response', r => { console.log(r.statusCode); r.resume(); });"
                               "req.on('error', e => console.log('error', e.message));")
                    .arg(port);
    } else if (client == QLatin1String("aiohttp")) {
        program = debianPython();
        EXPECTLAB_REQUIRE_PEER(!program.isEmpty() &&
                                   run(program, {QStringLiteral("-c"), QStringLiteral("import aiohttp")}).exitCode == 0,
                               QStringLiteral("aiohttp (Debian package python3-aiohttp)"));
        args << QStringLiteral("-c")
             << QStringLiteral(
                    "import asyncio, aiohttp\n"
                    "async def main():\n"
                    "    async with aiohttp.ClientSession() as s:\n"
                    "        async with s.post('http://127.0.0.1:%1/up', data=b'a' * 100000, expect100=True) as r:\n"
                    "            print(r.status)\n"
                    "asyncio.run(main())\n")
                    .arg(port);
    } else {
        program = pythonProgram();
        EXPECTLAB_REQUIRE_PEER(!program.isEmpty(), QStringLiteral("python3"));
        args << QStringLiteral("-c")
             << QStringLiteral("import http.client\n"
                               "c = http.client.HTTPConnection('127.0.0.1', %1, timeout=20)\n"
                               "try:\n"
                               "    c.request('POST', '/up', body=b'p' * 2000000, headers={'Expect': '100-continue'})\n"
                               "    print(c.getresponse().status)\n"
                               "except OSError as e:\n"
                               "    print('error', e)\n")
                    .arg(port);
    }
    ClientProfiler profiler;
    QList<TimelineEvent> profiles;
    connect(&server, &TestServer::eventRecorded, this,
            [&](const TimelineEvent &e) { profiles += profiler.consume(e); });
    QProcess p;
    p.start(program, args);
    QVERIFY(p.waitForStarted(5000));
    QTRY_VERIFY_WITH_TIMEOUT(p.state() == QProcess::NotRunning, 25000);
    QTRY_VERIFY_WITH_TIMEOUT(server.connectionCount() == 0 && !profiles.isEmpty(), 10000);
    const QString detail = profiles.first().detail;
    QString why;
    QVERIFY2(matches(fields(detail), profile, &why), qPrintable(why + QStringLiteral(" in ") + detail));
    QVERIFY2(profiles.first().profile, "the profile travels typed");
    if (policy == QLatin1String("ignore")) {
        const double waited = fields(detail).value(QStringLiteral("wait_ms")).toDouble();
        QVERIFY2(waited >= 900 && waited < 5000, qPrintable(detail));
    }
}

void TstClientProfiler::httpxTimesAreConsistent()
{
    // Case 16: httpx sends the body without waiting; whatever the reads, the profile must agree
    // with the times of the server's own events (our 100's time is when it reached the kernel).
    const QString python = debianPython();
    EXPECTLAB_REQUIRE_PEER(!python.isEmpty() &&
                               run(python, {QStringLiteral("-c"), QStringLiteral("import httpx")}).exitCode == 0,
                           QStringLiteral("httpx (Debian package python3-httpx)"));
    TestServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    ClientProfiler profiler;
    QList<TimelineEvent> events;
    QList<TimelineEvent> profiles;
    connect(&server, &TestServer::eventRecorded, this, [&](const TimelineEvent &e) {
        events << e;
        profiles += profiler.consume(e);
    });
    const QString script = QStringLiteral("import httpx\n"
                                          "for i in range(5):\n"
                                          "    r = httpx.post('http://127.0.0.1:%1/up', content=b'x' * 2000000,"
                                          " headers={'Expect': '100-continue'}, timeout=20)\n"
                                          "    print(r.status_code)\n")
                               .arg(server.port());
    QProcess p;
    p.start(python, {QStringLiteral("-c"), script});
    QVERIFY(p.waitForStarted(5000));
    QTRY_VERIFY_WITH_TIMEOUT(p.state() == QProcess::NotRunning, 25000);
    QCOMPARE(p.readAllStandardOutput().count("200"), 5);
    QTRY_COMPARE_WITH_TIMEOUT(profiles.size(), 5, 10000);
    for (const TimelineEvent &profile : std::as_const(profiles)) {
        qint64 interim = -1;
        qint64 body = -1;
        for (const TimelineEvent &e : std::as_const(events)) {
            if (e.conn != profile.conn)
                continue;
            if (e.kind == EventKind::InterimSent && interim < 0)
                interim = e.tNs;
            if (e.kind == EventKind::BodyStart && body < 0)
                body = e.tNs;
        }
        const QString wait = fields(profile.detail).value(QStringLiteral("wait"));
        if (body >= 0 && (interim < 0 || body < interim))
            QVERIFY2(wait != QLatin1String("until-100"), qPrintable(profile.detail));
        if (wait == QLatin1String("until-100"))
            QVERIFY2(interim >= 0 && interim <= body, qPrintable(profile.detail));
    }
}

void TstClientProfiler::serveEventsPrintsProfiles()
{
    EXPECTLAB_REQUIRE_PEER(!m_curl.isEmpty(), QStringLiteral("curl"));
    Peer serve;
    QVERIFY(serve.start(expectlabBin(), {QStringLiteral("serve"), QStringLiteral("--events"),
                                         QStringLiteral("--policy"), QStringLiteral("ignore")}));
    const QString url = serve.waitForListening();
    QVERIFY2(!url.isEmpty(), qPrintable(serve.output()));
    const RunResult r =
        run(m_curl,
            {QStringLiteral("-s"), QStringLiteral("-o"), QStringLiteral("/dev/null"),
             QStringLiteral("--expect100-timeout"), QStringLiteral("0.2"), QStringLiteral("--data-binary"),
             QLatin1Char('@') + m_dir.filePath(QStringLiteral("body-1048577")), url},
            20000);
    QCOMPARE(r.exitCode, 0);
    const QString line = serve.waitForLine(QRegularExpression(QStringLiteral("^(\\{.*\"kind\":\"profile\".*\\})$")));
    QVERIFY2(!line.isEmpty(), qPrintable(serve.output()));
    const QJsonObject o = QJsonDocument::fromJson(line.toUtf8()).object();
    QCOMPARE(o.value(QStringLiteral("side")).toString(), QStringLiteral("server"));
    QCOMPARE(o.value(QStringLiteral("status")).toInt(), 200);
    QCOMPARE(o.value(QStringLiteral("rule")).toString(), QStringLiteral("R5"));
    QString why;
    QVERIFY2(matches(fields(o.value(QStringLiteral("detail")).toString()),
                     {"expect=100-continue", "wait=bounded", "sent_anyway=yes"}, &why),
             qPrintable(why));
}

QTEST_GUILESS_MAIN(TstClientProfiler)
#include "tst_clientprofiler.moc"
