// Issue 13: the workbench's server and client each on their own thread record the times the wire
// shows. The server policy delays the 100 by D; every exchange's expect wait as the client recorded
// it (head sent -> 100 read) and as the server recorded it (head read -> 100 sent) is held against
// the same interval in a live tshark capture of the loopback port (client head packet -> 100
// packet). bench_fidelity measures the same at scale; this keeps the setup honest in every run.

#include "loopbackcapture.h"
#include "requirepeer.h"

#include "exchangelistmodel.h"
#include "partythread.h"
#include "serverhost.h"
#include "workbenchsession.h"

#include <QSignalSpy>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace expectlab;

namespace {

constexpr int kDelayMs = 20;
constexpr int kExchanges = 12;
// The median error of each side against the capture. bench_fidelity's target is 0.5 ms at p99 on
// a quiet machine; a test on a shared 2-core CI machine (and under ASan) holds the median to 2 ms.
constexpr double kMedianBoundMs = 2.0;

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? -1 : v[v.size() / 2];
}

qint64 firstAt(const QList<TimelineEvent> &events, EventKind kind, int status = 0)
{
    for (const TimelineEvent &e : events)
        if (e.kind == kind && (status == 0 || e.status == status))
            return e.tNs;
    return -1;
}

quint16 localPortOf(const ExchangeSummary &s)
{
    for (const TimelineEvent &e : s.events)
        if (e.kind == EventKind::Connected && e.endpoints)
            return e.endpoints->localPort;
    return 0;
}

} // namespace

class TestPartyTiming : public QObject
{
    Q_OBJECT

private slots:
    void workbenchTimesMatchTheCapture();
};

void TestPartyTiming::workbenchTimesMatchTheCapture()
{
    EXPECTLAB_REQUIRE_PEER(!testsupport::LoopbackCapture::program().isEmpty(), QStringLiteral("tshark"));

    ServerHost server;
    QSignalSpy state(&server, &ServerHost::stateChanged);
    server.setPolicy(*ServerPolicy::parse(QStringLiteral("delay:%1").arg(kDelayMs)));
    server.listen(QHostAddress::LocalHost, 0);
    QVERIFY(state.wait(5000));
    QVERIFY(server.isListening());

    testsupport::LoopbackCapture capture;
    QString why;
    if (!capture.start(server.port(), &why)) {
        if (capture.notPermitted())
            QSKIP(qPrintable(why)); // this machine forbids capturing; nothing to compare with
        QFAIL(qPrintable(why));
    }

    PartyThread clientThread(QStringLiteral("expectlab-client"));
    WorkbenchSession session;
    session.setClientThread(&clientThread);
    session.attachServer(&server);
    QSignalSpy finished(&session, &WorkbenchSession::exchangeFinished);
    QList<int> numbers;
    for (int i = 0; i < kExchanges; ++i) {
        ClientRequest request;
        request.url = QUrl(server.url() + QStringLiteral("upload"));
        request.body.kind = BodySpec::Kind::Generated;
        request.body.generatedSize = 4096;
        request.expectTimeoutMs = 5000;
        numbers << session.send(request);
        QVERIFY(finished.wait(10000));
    }
    session.flush();

    // Every exchange's server side matched, and every final on the wire.
    QHash<quint16, int> numberOfPort;
    for (const int n : numbers) {
        QTRY_VERIFY_WITH_TIMEOUT(!session.model()->recordByNumber(n)->serverConnections.isEmpty(), 5000);
        numberOfPort.insert(localPortOf(session.model()->recordByNumber(n)->summary), n);
    }
    QVERIFY(!numberOfPort.contains(0));
    const quint16 serverPort = server.port();
    QVERIFY2(capture.waitFor(
                 [&](const QList<testsupport::Packet> &packets) {
                     const auto moments = testsupport::wireMoments(packets, serverPort);
                     return std::all_of(numberOfPort.keyBegin(), numberOfPort.keyEnd(),
                                        [&](quint16 port) { return moments.value(port).final >= 0; });
                 },
                 10000),
             "the capture saw every final response");

    const auto wire = testsupport::wireMoments(capture.packets(), serverPort);
    std::vector<double> clientError, serverError;
    QStringList rows;
    for (auto it = numberOfPort.begin(); it != numberOfPort.end(); ++it) {
        const ExchangeRecord *r = session.model()->recordByNumber(it.value());
        const testsupport::WireMoments w = wire.value(it.key());
        QVERIFY2(w.head >= 0 && w.interim >= 0, "the capture saw the head and the 100");
        const double capturedMs = (w.interim - w.head) * 1e3;
        const qint64 clientHead = firstAt(r->summary.events, EventKind::HeadSent);
        const qint64 client100 = firstAt(r->summary.events, EventKind::Interim, 100);
        const QList<TimelineEvent> serverEvents = session.serverEvents(*r);
        const qint64 serverHead = firstAt(serverEvents, EventKind::Head);
        const qint64 server100 = firstAt(serverEvents, EventKind::InterimSent, 100);
        QVERIFY(clientHead >= 0 && client100 > clientHead && serverHead >= 0 && server100 > serverHead);
        // One clock on both sides: a message is sent before it is received. A send stamped after
        // the write woke the peer broke this on a busy machine (issue 14, arrows back in time).
        QVERIFY2(clientHead <= serverHead && server100 <= client100,
                 qPrintable(QStringLiteral("head sent %1, received %2; 100 sent %3, received %4")
                                .arg(clientHead)
                                .arg(serverHead)
                                .arg(server100)
                                .arg(client100)));
        const double clientMs = double(client100 - clientHead) / 1e6;
        const double serverMs = double(server100 - serverHead) / 1e6;
        QVERIFY2(serverMs >= kDelayMs, qPrintable(QString::number(serverMs))); // the policy's delay held
        clientError.push_back(std::abs(clientMs - capturedMs));
        serverError.push_back(std::abs(serverMs - capturedMs));
        rows << QStringLiteral("client %1 server %2 capture %3").arg(clientMs).arg(serverMs).arg(capturedMs);
    }
    const QString detail = rows.join(QLatin1Char('\n'));
    QVERIFY2(median(clientError) < kMedianBoundMs, qPrintable(detail));
    QVERIFY2(median(serverError) < kMedianBoundMs, qPrintable(detail));
    qInfo("median |client - capture| %.3f ms, |server - capture| %.3f ms", median(clientError), median(serverError));
    session.shutdown();
}

QTEST_GUILESS_MAIN(TestPartyTiming)
#include "tst_partytiming.moc"
