// The recording proxy under faults (issue 16), in process, over real sockets on 127.0.0.1: an
// upstream that refuses, resets mid-body, answers garbage, never answers or breaks off its answer,
// and a client that leaves mid-body. Every case ends with an event, a status to the client where
// one can still be sent (502, 504, as JSON), no descriptor left open and no connection left behind.
#include "peerprocess.h"
#include "proxyserver.h"
#include "requirepeer.h"
#include "serveprocess.h"
#include "testserver.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTest>

using namespace expectlab;
using namespace testsupport;

namespace {
int openDescriptors()
{
    return int(QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::NoDotAndDotDot | QDir::AllEntries).size());
}

const QByteArray kUploadHead = "PUT /up HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\nExpect: 100-continue\r\n\r\n";
} // namespace

class TestProxyFaults : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void upstreamFaults_data();
    void upstreamFaults();
    void clientLeavesMidBody();

private:
    QString m_python;
};

void TestProxyFaults::initTestCase()
{
    if (!QFile::exists(QStringLiteral("/proc/self/fd")))
        QSKIP("needs /proc to count descriptors");
    m_python = pythonProgram();
    EXPECTLAB_REQUIRE_PEER(!m_python.isEmpty(), "python3");
}

void TestProxyFaults::upstreamFaults_data()
{
    QTest::addColumn<QString>("script"); // scripted_server.py's, or "" for a port nobody listens on
    QTest::addColumn<bool>("sendBody");  // the client sends its body after a 100
    QTest::addColumn<int>("status");     // what the client gets (its final)
    QTest::addColumn<QString>("decision");

    QTest::newRow("refuses") << QString() << false << 502 << "bad_gateway";
    QTest::newRow("resets mid-body")
        << R"([[["head"], ["send", "HTTP/1.1 100 Continue\r\n\r\n"], ["drain", 50], ["rst"]]])" << true << 502
        << "bad_gateway";
    QTest::newRow("garbage") << R"([[["head"], ["send", "SPDY/3 hello\r\n\r\n"], ["fin"]]])" << false << 502
                             << "bad_gateway";
    QTest::newRow("never answers") << R"([[["head"], ["drain", 5000]]])" << false << 504 << "gateway_timeout";
    QTest::newRow("breaks off its answer")
        << R"([[["head"], ["send", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc"], ["rst"]]])" << false << 200
        << "bad_gateway";
}

void TestProxyFaults::upstreamFaults()
{
    QFETCH(QString, script);
    QFETCH(bool, sendBody);
    QFETCH(int, status);
    QFETCH(QString, decision);
    Peer upstream;
    QString upstreamUrl = QStringLiteral("http://127.0.0.1:%1/").arg(freePort());
    if (!script.isEmpty()) {
        QVERIFY(upstream.start(m_python, {sourceDir() + QStringLiteral("/tests/peers/scripted_server.py"), script}));
        upstreamUrl = upstream.waitForListening();
        QVERIFY2(!upstreamUrl.isEmpty(), qPrintable(upstream.output()));
    }
    const int fdBefore = openDescriptors();
    {
        ProxyServer proxy;
        ProxyConfig config;
        config.upstream = QUrl(upstreamUrl);
        config.answerTimeoutMs = 300;
        config.expectTimeoutMs = 200;
        proxy.setConfig(config);
        QList<TimelineEvent> events;
        connect(&proxy, &ProxyServer::eventRecorded, this, [&events](const TimelineEvent &e) { events.append(e); });
        QVERIFY(proxy.listen(QHostAddress::LocalHost, 0));

        QTcpSocket client;
        client.connectToHost(QHostAddress::LocalHost, proxy.port());
        QVERIFY(client.waitForConnected(5000));
        client.write(kUploadHead);
        QByteArray got;
        if (sendBody) {
            QTRY_VERIFY_WITH_TIMEOUT((got += client.readAll()).contains("100 Continue"), 5000);
            client.write(QByteArray(20000, 'b'));
        }
        // The final (or what there is of it) and the close.
        QTRY_VERIFY_WITH_TIMEOUT((got += client.readAll()).contains(QByteArray::number(status) + ' ') &&
                                     client.state() != QAbstractSocket::ConnectedState,
                                 10000);
        const int at = got.indexOf("HTTP/1.1 " + QByteArray::number(status));
        QVERIFY2(at >= 0, got.constData());
        if (status >= 500) {
            const QJsonObject o = QJsonDocument::fromJson(got.mid(got.indexOf("\r\n\r\n", at) + 4)).object();
            QCOMPARE(o.value(QStringLiteral("error")).toString(), decision);
            QVERIFY2(!o.value(QStringLiteral("reason")).toString().isEmpty(), got.constData());
        }
        QTRY_VERIFY_WITH_TIMEOUT(
            std::any_of(events.cbegin(), events.cend(),
                        [&decision](const TimelineEvent &e) { return proxyDecisionName(e.decision) == decision; }),
            5000);
        QTRY_COMPARE_WITH_TIMEOUT(proxy.connectionCount(), 0, 10000);
    }
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    QTRY_COMPARE_WITH_TIMEOUT(openDescriptors(), fdBefore, 10000);
}

// A client that leaves mid-body: the upstream request is given up and its connection closed; the
// origin sees a request cut short.
void TestProxyFaults::clientLeavesMidBody()
{
    TestServer origin;
    QList<TimelineEvent> originEvents;
    connect(&origin, &TestServer::eventRecorded, this, [&](const TimelineEvent &e) { originEvents.append(e); });
    QVERIFY(origin.listen(QHostAddress::LocalHost, 0));
    const int fdBefore = openDescriptors();
    {
        ProxyServer proxy;
        ProxyConfig config;
        config.upstream = QUrl(origin.url());
        proxy.setConfig(config);
        QList<TimelineEvent> events;
        connect(&proxy, &ProxyServer::eventRecorded, this, [&events](const TimelineEvent &e) { events.append(e); });
        QVERIFY(proxy.listen(QHostAddress::LocalHost, 0));
        auto *client = new QTcpSocket(this);
        client->connectToHost(QHostAddress::LocalHost, proxy.port());
        QVERIFY(client->waitForConnected(5000));
        client->write(kUploadHead);
        QByteArray got;
        QTRY_VERIFY_WITH_TIMEOUT((got += client->readAll()).contains("100 Continue"), 5000);
        client->write(QByteArray(30000, 'b'));
        QTRY_VERIFY_WITH_TIMEOUT(std::any_of(originEvents.cbegin(), originEvents.cend(),
                                             [](const TimelineEvent &e) { return e.kind == EventKind::BodyStart; }),
                                 5000);
        client->abort();
        delete client;
        QTRY_VERIFY_WITH_TIMEOUT(
            std::any_of(events.cbegin(), events.cend(),
                        [](const TimelineEvent &e) { return e.decision == ProxyDecision::ClientGone; }),
            5000);
        QTRY_VERIFY_WITH_TIMEOUT(
            std::any_of(originEvents.cbegin(), originEvents.cend(),
                        [](const TimelineEvent &e) { return e.error == ErrorKind::PeerClosedMidRequest; }),
            5000);
        QTRY_COMPARE_WITH_TIMEOUT(proxy.connectionCount(), 0, 10000);
    }
    QTRY_COMPARE_WITH_TIMEOUT(origin.connectionCount(), 0, 10000);
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    QTRY_COMPARE_WITH_TIMEOUT(openDescriptors(), fdBefore, 10000);
}

QTEST_GUILESS_MAIN(TestProxyFaults)
#include "tst_proxyfaults.moc"
