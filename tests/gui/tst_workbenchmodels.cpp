// The workbench's models without widgets: the exchange list, the timeline geometry and axis
// arithmetic, outcomes, presets, byte formatting, and the session that matches server connections
// to client exchanges over real loopback sockets.
#include "byteformat.h"
#include "clientpreset.h"
#include "exchangefiltermodel.h"
#include "exchangelistmodel.h"
#include "exchangeoutcome.h"
#include "partythread.h"
#include "serverhost.h"
#include "testserver.h"
#include "timelinelayout.h"
#include "workbenchsession.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>

using namespace expectlab;

namespace {
TimelineEvent ev(Side side, EventKind kind, double ms, int status = 0, const QString &detail = {})
{
    TimelineEvent e;
    e.side = side;
    e.kind = kind;
    e.tNs = 1'000'000'000 + qint64(ms * 1e6);
    e.status = status;
    e.detail = detail;
    return e;
}

// A head event whose head asks for 100-continue, as the cores record it (the head is typed).
TimelineEvent expectHead(Side side, EventKind kind, double ms)
{
    TimelineEvent e = ev(side, kind, ms, 0, QStringLiteral("POST /up; Expect: 100-continue"));
    MessageHead h;
    h.method = "POST";
    h.target = "/up";
    h.headers = {{"Expect", "100-continue"}, {"Content-Length", "5"}};
    return e.withHead(h);
}

ExchangeRecord record(int number, int finalStatus = 200)
{
    ExchangeRecord r;
    r.number = number;
    r.started = QDateTime::currentDateTime();
    r.summary.id = number;
    r.summary.method = "POST";
    r.summary.url = QUrl(QStringLiteral("http://127.0.0.1:1/x"));
    r.summary.requestHeaders = {{"Expect", "100-continue"}};
    r.summary.finalStatus = finalStatus;
    MessageHead continued;
    continued.status = 100;
    r.summary.interimHeads = {continued};
    r.summary.responseComplete = true;
    r.summary.expectWaitNs = 1'500'000;
    r.summary.startNs = 1;
    r.summary.endNs = 2;
    r.running = false;
    r.outcome = classifyOutcome(r.summary, false);
    return r;
}
} // namespace

class TestWorkbenchModels : public QObject
{
    Q_OBJECT
private slots:
    void listModelBatchesAndTester();
    void listModelUpdatesAndClear();
    void listModelTensOfThousands();
    void outcomes_data();
    void outcomes();
    void layoutTwoLanes_data();
    void layoutTwoLanes();
    void layoutOneLaneForExternalPeers();
    void layoutHitTest();
    void timeAxis();
    void presetsLoad();
    void presetsRejectBadFiles();
    void bytesAndRate();
    void sessionMatchesServerConnections();
    void sessionListsExternalClients();
    void foreignStallIsTheSameOutcome();
    void externalCurlShowsItsUserAgent();
    void filterModel_data();
    void filterModel();
    void filterModelSortsByValue();
    void listModelCountsALiveWait();
    void sessionOnNetworkThread();
};

void TestWorkbenchModels::listModelBatchesAndTester()
{
    ExchangeListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QList<ExchangeRecord> batch;
    for (int i = 1; i <= 50; ++i)
        batch << record(i);
    model.appendRecords(batch);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(model.rowCount(), 50);
    QCOMPARE(model.columnCount(), int(ExchangeListModel::ColumnCount));
    QCOMPARE(model.nextNumber(), 51);
    QCOMPARE(model.index(0, ExchangeListModel::FinalColumn).data().toString(), QStringLiteral("200"));
    QCOMPARE(model.index(0, ExchangeListModel::InterimColumn).data().toString(), QStringLiteral("100"));
    QCOMPARE(model.index(0, ExchangeListModel::ExpectationColumn).data().toString(), QStringLiteral("100-continue"));
    QCOMPARE(model.index(0, ExchangeListModel::ExpectWaitColumn).data().toString(), QStringLiteral("1.5"));
    // host:port leads the URL (issue 14: "http://1…9/upload" hid which server it was); every cell's
    // tooltip has it in full, however narrow the column.
    QCOMPARE(model.index(0, ExchangeListModel::UrlColumn).data().toString(), QStringLiteral("127.0.0.1:1/x"));
    QVERIFY(model.index(0, ExchangeListModel::UrlColumn)
                .data(Qt::ToolTipRole)
                .toString()
                .startsWith(QLatin1String("URL: 127.0.0.1:1/x\n")));
    QVERIFY(model.index(0, ExchangeListModel::OutcomeColumn)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(model.index(0, ExchangeListModel::OutcomeColumn).data().toString()));
    QCOMPARE(model.index(0, 0).data(ExchangeListModel::OutcomeRole).toInt(), int(Outcome::Continued));
    QCOMPARE(model.index(0, 0).data(ExchangeListModel::ExpectWaitMsRole).toDouble(), 1.5);
    QVERIFY(!model.headerData(ExchangeListModel::OutcomeColumn, Qt::Horizontal).toString().isEmpty());
    QCOMPARE(reset.size(), 0);
}

void TestWorkbenchModels::listModelUpdatesAndClear()
{
    ExchangeListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QList<ExchangeRecord> batch;
    for (int i = 1; i <= 10; ++i)
        batch << record(i);
    model.appendRecords(batch);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    ExchangeRecord a = record(3, 417);
    a.summary.retried = true;
    a.outcome = classifyOutcome(a.summary, false);
    ExchangeRecord b = record(4, 413);
    b.outcome = classifyOutcome(b.summary, false);
    ExchangeRecord c = record(9, 500);
    model.updateRecords({c, a, b});
    // Rows 2-3 are one contiguous range, row 8 another.
    QCOMPARE(changed.size(), 2);
    QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 2);
    QCOMPARE(changed.at(0).at(1).toModelIndex().row(), 3);
    QCOMPARE(model.index(2, ExchangeListModel::FinalColumn).data().toString(), QStringLiteral("417 → 417"));
    QCOMPARE(model.recordByNumber(4)->outcome, Outcome::EarlyFinal);

    model.clear();
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.rowForNumber(3), -1);
    // Numbers go on after a clear; updates for cleared rows are ignored.
    model.updateRecords({record(5)});
    model.appendRecords({record(11)});
    QCOMPARE(model.rowForNumber(11), 0);
}

void TestWorkbenchModels::listModelTensOfThousands()
{
    // What keeps a long session cheap, checked as structure rather than time (a timed assertion
    // fails on a loaded machine and passes on a fast one whatever the code does): one insertion per
    // batch, and a row found by its number without a scan.
    ExchangeListModel model;
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    int number = 1;
    for (int b = 0; b < 40; ++b) {
        QList<ExchangeRecord> batch;
        for (int i = 0; i < 1000; ++i)
            batch << record(number++);
        model.appendRecords(batch);
    }
    QCOMPARE(model.rowCount(), 40000);
    QCOMPARE(inserted.size(), 40);
    QCOMPARE(model.recordByNumber(31234)->number, 31234);
    QCOMPARE(model.index(39999, ExchangeListModel::NumberColumn).data().toInt(), 40000);
    QCOMPARE(model.rowForNumber(40000), 39999);
}

void TestWorkbenchModels::outcomes_data()
{
    QTest::addColumn<int>("finalStatus"); // 0: none
    QTest::addColumn<bool>("retried");
    QTest::addColumn<bool>("cancelled");
    QTest::addColumn<bool>("timedOut");
    QTest::addColumn<bool>("interim100");
    QTest::addColumn<int>("outcome");
    QTest::newRow("100 then 200") << 200 << false << false << false << true << int(Outcome::Continued);
    QTest::newRow("200 without 100") << 200 << false << false << false << false << int(Outcome::Success);
    QTest::newRow("timeout then 200 (R5)") << 200 << false << false << true << false << int(Outcome::WaitedOut);
    QTest::newRow("417 retried (R6)") << 200 << true << false << false << false << int(Outcome::Retried);
    QTest::newRow("417 kept") << 417 << false << false << false << false << int(Outcome::Rejected);
    QTest::newRow("early 413") << 413 << false << false << false << false << int(Outcome::EarlyFinal);
    QTest::newRow("no final") << 0 << false << false << false << false << int(Outcome::Failed);
    QTest::newRow("cancelled") << 0 << false << true << false << false << int(Outcome::Cancelled);
}

void TestWorkbenchModels::outcomes()
{
    QFETCH(int, finalStatus);
    QFETCH(bool, retried);
    QFETCH(bool, cancelled);
    QFETCH(bool, timedOut);
    QFETCH(bool, interim100);
    QFETCH(int, outcome);
    ExchangeSummary s;
    if (finalStatus) {
        s.finalStatus = finalStatus;
        s.responseComplete = true;
    } else {
        s.error = QStringLiteral("Connection refused");
    }
    s.retried = retried;
    s.cancelled = cancelled;
    if (timedOut) {
        s.events << ev(Side::Client, EventKind::ExpectTimeout, 1000);
        s.sentAnyway = true;
    }
    if (interim100) {
        MessageHead h;
        h.status = 100;
        s.interimHeads << h;
    }
    QCOMPARE(int(classifyOutcome(s, false)), outcome);
    QCOMPARE(classifyOutcome(s, true), Outcome::Running);
    QVERIFY(!outcomeName(Outcome(outcome)).isEmpty());
}

void TestWorkbenchModels::layoutTwoLanes_data()
{
    QTest::addColumn<QList<TimelineEvent>>("client");
    QTest::addColumn<QList<TimelineEvent>>("server");
    QTest::addColumn<int>("arrows");
    QTest::addColumn<int>("continueMarkers");
    QTest::addColumn<int>("rejectMarkers");
    QTest::addColumn<int>("successMarkers");
    QTest::addColumn<int>("failureMarkers");
    QTest::addColumn<int>("mutedMarkers");
    QTest::addColumn<QString>("bracket");
    QTest::addColumn<int>("spans");

    const auto C = Side::Client;
    const auto S = Side::Server;
    QTest::newRow("continue") << QList<TimelineEvent>{ev(C, EventKind::Connect, 0),
                                                      ev(C, EventKind::Connected, 0.1),
                                                      expectHead(C, EventKind::HeadSent, 0.2),
                                                      ev(C, EventKind::Interim, 0.5, 100),
                                                      ev(C, EventKind::BodyStart, 0.6),
                                                      ev(C, EventKind::BodyDone, 0.9),
                                                      ev(C, EventKind::Final, 1.4, 200),
                                                      ev(C, EventKind::ResponseDone, 1.5, 200),
                                                      ev(C, EventKind::Closed, 1.6)}
                              << QList<TimelineEvent>{ev(S, EventKind::Accepted, 0.05),
                                                      expectHead(S, EventKind::Head, 0.3),
                                                      ev(S, EventKind::InterimSent, 0.35, 100),
                                                      ev(S, EventKind::BodyStart, 0.7),
                                                      ev(S, EventKind::BodyDone, 1.2),
                                                      ev(S, EventKind::FinalSent, 1.25, 200),
                                                      ev(S, EventKind::Closed, 1.7)}
                              << 5 << 2 << 0 << 3 << 0 << 2 << QStringLiteral("expect wait 0.300 ms") << 2;
    QTest::newRow("reject, retry")
        << QList<TimelineEvent>{ev(C, EventKind::Connect, 0),
                                expectHead(C, EventKind::HeadSent, 0.2),
                                ev(C, EventKind::Final, 0.5, 417),
                                ev(C, EventKind::Closed, 0.6),
                                ev(C, EventKind::Retry, 0.6),
                                ev(C, EventKind::Connect, 0.7),
                                ev(C, EventKind::HeadSent, 0.8, 0, QStringLiteral("POST /")),
                                ev(C, EventKind::BodyStart, 0.8),
                                ev(C, EventKind::BodyDone, 0.9),
                                ev(C, EventKind::Final, 1.5, 200)}
        << QList<TimelineEvent>{ev(S, EventKind::Accepted, 0.1),       expectHead(S, EventKind::Head, 0.3),
                                ev(S, EventKind::FinalSent, 0.3, 417), ev(S, EventKind::Closed, 0.65),
                                ev(S, EventKind::Accepted, 0.75),      ev(S, EventKind::Head, 0.85),
                                ev(S, EventKind::BodyStart, 0.86),     ev(S, EventKind::BodyDone, 1.0),
                                ev(S, EventKind::FinalSent, 1.1, 200)}
        << 7 << 0 << 2 << 2 << 0 << 2 << QStringLiteral("expect wait 0.300 ms") << 2;
    QTest::newRow("ignore, timeout (R5)")
        << QList<TimelineEvent>{ev(C, EventKind::Connect, 0),
                                expectHead(C, EventKind::HeadSent, 0.2),
                                ev(C, EventKind::ExpectTimeout, 1000.2),
                                ev(C, EventKind::BodyStart, 1000.3),
                                ev(C, EventKind::BodyDone, 1000.4),
                                ev(C, EventKind::Final, 1001, 200)}
        << QList<TimelineEvent>{ev(S, EventKind::Accepted, 0.1), expectHead(S, EventKind::Head, 0.3),
                                ev(S, EventKind::BodyStart, 1000.35), ev(S, EventKind::BodyDone, 1000.5),
                                ev(S, EventKind::FinalSent, 1000.6, 200)}
        << 4 << 0 << 0 << 2 << 0 << 1 << QStringLiteral("expect wait 1000.0 ms (timed out, R5)") << 2;
    QTest::newRow("early 413") << QList<TimelineEvent>{ev(C, EventKind::Connect, 0),
                                                       expectHead(C, EventKind::HeadSent, 0.2),
                                                       ev(C, EventKind::Final, 0.6, 413,
                                                          QStringLiteral("413; body stopped, 100 bytes not sent"))}
                               << QList<TimelineEvent>{ev(S, EventKind::Accepted, 0.1), ev(S, EventKind::Head, 0.3),
                                                       ev(S, EventKind::FinalSent, 0.3, 413),
                                                       ev(S, EventKind::Closed, 0.9)}
                               << 3 << 0 << 0 << 0 << 2 << 1 << QStringLiteral("expect wait 0.400 ms") << 0;
}

void TestWorkbenchModels::layoutTwoLanes()
{
    QFETCH(QList<TimelineEvent>, client);
    QFETCH(QList<TimelineEvent>, server);
    for (TimelineEvent &e : server)
        e.conn = 1;
    const TimelineLayout l = TimelineLayout::build(client, server);
    QCOMPARE(l.lanes.size(), 2);
    QCOMPARE(l.markers.size(), client.size() + server.size());
    auto count = [&](Meaning m) {
        return int(std::count_if(l.markers.cbegin(), l.markers.cend(), [m](const auto &x) { return x.meaning == m; }));
    };
    QTEST(int(l.arrows.size()), "arrows");
    QTEST(count(Meaning::Continue), "continueMarkers");
    QTEST(count(Meaning::Reject), "rejectMarkers");
    QTEST(count(Meaning::Success), "successMarkers");
    QTEST(count(Meaning::Failure), "failureMarkers");
    QTEST(count(Meaning::Muted), "mutedMarkers");
    QCOMPARE(l.brackets.size(), 1);
    QTEST(l.brackets.first().label, "bracket");
    QTEST(int(l.spans.size()), "spans");
    // Every arrow runs between the lanes, and interim/final ones from the server down to the client.
    for (const auto &a : l.arrows) {
        QVERIFY(a.y0 != a.y1);
        QVERIFY(a.t1Ms >= a.t0Ms);
        if (a.meaning == Meaning::Continue || a.meaning == Meaning::Reject || a.meaning == Meaning::Failure)
            QCOMPARE(a.y0, TimelineLayout::kServerY);
    }
    QCOMPARE(l.markers.first().tMs, 0.0); // the origin is the first event of either side
    QVERIFY(l.yMax() > TimelineLayout::kClientY && l.yMin() < TimelineLayout::kServerY);
}

void TestWorkbenchModels::layoutOneLaneForExternalPeers()
{
    // Our client against an external server: only the client's side is seen.
    const QList<TimelineEvent> client{
        ev(Side::Client, EventKind::Connect, 0), expectHead(Side::Client, EventKind::HeadSent, 0.2),
        ev(Side::Client, EventKind::Interim, 5, 100), ev(Side::Client, EventKind::Final, 9, 200)};
    TimelineLayout l = TimelineLayout::build(client, {});
    QCOMPARE(l.lanes.size(), 1);
    QCOMPARE(l.lanes.first().name, QStringLiteral("client"));
    QCOMPARE(l.arrows.size(), 3); // head out, 100 in, 200 in: stubs towards the unseen peer
    QCOMPARE(l.arrows.at(0).y0, TimelineLayout::kSingleLaneY);
    QCOMPARE(l.arrows.at(1).y1, TimelineLayout::kSingleLaneY);
    QCOMPARE(l.brackets.first().label, QStringLiteral("expect wait 4.800 ms"));

    // An external client against our server: only the server's side.
    const QList<TimelineEvent> server{ev(Side::Server, EventKind::Accepted, 0),
                                      expectHead(Side::Server, EventKind::Head, 0.1),
                                      ev(Side::Server, EventKind::InterimSent, 0.2, 100)};
    l = TimelineLayout::build({}, server);
    QCOMPARE(l.lanes.size(), 1);
    QCOMPARE(l.lanes.first().name, QStringLiteral("server"));
    QCOMPARE(l.arrows.size(), 2);
    QCOMPARE(l.brackets.size(), 1);
    QVERIFY(TimelineLayout::build({}, {}).isEmpty());
}

void TestWorkbenchModels::layoutHitTest()
{
    TimelineEvent final = ev(Side::Client, EventKind::Final, 10, 417, QStringLiteral("417 Expectation Failed"));
    final.rule = QStringLiteral("R6");
    const TimelineLayout l = TimelineLayout::build({ev(Side::Client, EventKind::Connect, 0), final},
                                                   {ev(Side::Server, EventKind::Accepted, 0.5)});
    // 0.1 ms and 0.01 lane units per pixel: the 417 at (10, client lane).
    const int i = l.markerNear(10.3, TimelineLayout::kClientY + 0.02, 0.1, 0.01, 8);
    QVERIFY(i >= 0);
    QCOMPARE(l.markers.at(i).kind, EventKind::Final);
    QVERIFY(l.markers.at(i).tooltip.contains(QLatin1String("R6 (RFC 9110 10.1.1)")));
    QVERIFY(l.markers.at(i).tooltip.contains(QLatin1String("417 Expectation Failed")));
    QCOMPARE(l.markerNear(5, TimelineLayout::kClientY, 0.1, 0.01, 8), -1);
    QCOMPARE(l.markerNear(10, TimelineLayout::kServerY, 0.1, 0.01, 8), -1);
}

void TestWorkbenchModels::timeAxis()
{
    TimeAxis a = TimeAxis::fit(0, 100, 1000, 0.1);
    QCOMPARE(a.lowerMs, -10.0);
    QCOMPARE(a.upperMs, 110.0);
    QCOMPARE(a.msPerPixel(), 0.12);
    QCOMPARE(a.toPixel(-10), 0.0);
    QVERIFY(qAbs(a.toMs(a.toPixel(42.5)) - 42.5) < 1e-9);
    const TimeAxis zoomed = a.zoomed(2, 50);
    QCOMPARE(zoomed.lowerMs, 20.0);
    QCOMPARE(zoomed.upperMs, 80.0);
    QVERIFY(qAbs(zoomed.toPixel(50) - a.toPixel(50)) < 1e-9); // the point under the mouse stays put
    const TimeAxis offCentre = a.zoomed(4, 0);
    QCOMPARE(offCentre.lowerMs, -2.5);
    QCOMPARE(offCentre.upperMs, 27.5);
    QVERIFY(qAbs(offCentre.toPixel(0) - a.toPixel(0)) < 1e-9);
    const TimeAxis panned = a.panned(100);
    QCOMPARE(panned.lowerMs, 2.0);
    const TimeAxis point = TimeAxis::fit(5, 5, 0);
    QVERIFY(point.upperMs > point.lowerMs);
    QCOMPARE(point.widthPx, 1.0);
}

void TestWorkbenchModels::presetsLoad()
{
    // The copies compiled into the binary (resources.qrc), which the window reads.
    QString error;
    const QList<ClientPreset> clients = loadClientPresets(QStringLiteral(":/presets/clients.json"), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(clients.size() >= 6);
    for (const ClientPreset &p : clients)
        QVERIFY2(p.source.startsWith(QLatin1String("expect-rules.md")), qPrintable(p.id));
    const auto curl =
        std::find_if(clients.cbegin(), clients.cend(), [](const auto &p) { return p.id == QLatin1String("curl"); });
    QVERIFY(curl != clients.cend());
    QCOMPARE(curl->expectWhen, ClientPreset::ExpectWhen::BodyOver);
    QCOMPARE(curl->expectThreshold, qint64(1048576));
    QCOMPARE(curl->expectTimeoutMs, 1000);
    QVERIFY(curl->retryAfter417);
    const QList<ServerPreset> servers = loadServerPresets(QStringLiteral(":/presets/servers.json"), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(servers.size() >= 6);
    for (const ServerPreset &p : servers)
        QVERIFY(ServerPolicy::parse(p.policy).has_value());
}

void TestWorkbenchModels::presetsRejectBadFiles()
{
    QTemporaryDir dir;
    QString error;
    QVERIFY(loadClientPresets(dir.filePath(QStringLiteral("missing.json")), &error).isEmpty());
    QVERIFY(error.contains(QLatin1String("missing.json")));
    QFile bad(dir.filePath(QStringLiteral("bad.json")));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write(R"({"presets": [{"id": "x", "name": "X", "policy": "sometimes"}]})");
    bad.close();
    error.clear();
    QVERIFY(loadServerPresets(bad.fileName(), &error).isEmpty());
    QVERIFY(error.contains(QLatin1String("unknown policy")));
}

void TestWorkbenchModels::bytesAndRate()
{
    QCOMPARE(formatBytes(512), QStringLiteral("512 B"));
    QCOMPARE(formatBytes(1536), QStringLiteral("1.50 KiB"));
    QCOMPARE(formatBytes(qint64(1) << 30), QStringLiteral("1.00 GiB"));
    QCOMPARE(formatBytes(200 * 1024 * 1024), QStringLiteral("200 MiB"));
    QCOMPARE(unitFactor(SizeUnit::MiB), qint64(1048576));
    RateMeter meter;
    meter.add(0, 0);
    QCOMPARE(meter.bytesPerSecond(), 0.0);
    meter.add(100'000'000, 10'000'000); // 10 MB in 100 ms
    QCOMPARE(meter.bytesPerSecond(), 1e8);
    meter.add(1'100'000'000, 10'000'000); // then a second of nothing: the rate falls
    QVERIFY(meter.bytesPerSecond() < 2e7);
}

void TestWorkbenchModels::sessionMatchesServerConnections()
{
    TestServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    server.setPolicy(*ServerPolicy::parse(QStringLiteral("reject")));
    WorkbenchSession session;
    session.attachServer(&server);
    QAbstractItemModelTester tester(session.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy finished(&session, &WorkbenchSession::exchangeFinished);

    ClientRequest request;
    request.url = QUrl(server.url() + QStringLiteral("upload"));
    request.body.kind = BodySpec::Kind::Generated;
    request.body.generatedSize = 10000;
    const int number = session.send(request);
    QVERIFY(finished.wait(5000));
    // The 417 and the retry: two connections, both matched to the one exchange (R6).
    QTRY_COMPARE_WITH_TIMEOUT(session.model()->recordByNumber(number)->serverConnections.size(), 2, 5000);
    QCOMPARE(session.model()->rowCount(), 1);
    const ExchangeRecord *r = session.model()->recordByNumber(number);
    QCOMPARE(r->outcome, Outcome::Retried);
    const QList<TimelineEvent> serverEvents = session.serverEvents(*r);
    QCOMPARE(std::count_if(serverEvents.cbegin(), serverEvents.cend(),
                           [](const auto &e) { return e.kind == EventKind::Accepted; }),
             2);
    QTRY_VERIFY_WITH_TIMEOUT(session.serverConnection(r->serverConnections.first())->finished, 5000);
    QVERIFY(session.serverConnection(r->serverConnections.first())->wire.records().size() >= 2);
}

void TestWorkbenchModels::sessionListsExternalClients()
{
    TestServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    WorkbenchSession session;
    session.attachServer(&server);

    // A foreign client: a bare socket that sends a request with Expect, then its body after the 100.
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, server.port());
    QVERIFY(socket.waitForConnected(5000));
    const quint16 sourcePort = socket.localPort();
    socket.write("POST /ext HTTP/1.1\r\nHost: example\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
    QTRY_VERIFY_WITH_TIMEOUT((socket.bytesAvailable() > 0 || socket.waitForReadyRead(50)), 5000);
    QVERIFY(socket.readAll().startsWith("HTTP/1.1 100"));
    socket.write("hello");
    QTRY_VERIFY_WITH_TIMEOUT((socket.bytesAvailable() > 0 || socket.waitForReadyRead(50)), 5000);
    socket.disconnectFromHost();

    // Listed since its head arrived (issue 14), the row is complete once the connection ends.
    QTRY_COMPARE_WITH_TIMEOUT(session.model()->rowCount(), 1, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(!session.model()->recordAt(0).running, 5000);
    const ExchangeRecord &r = session.model()->recordAt(0);
    QVERIFY(r.isExternal());
    QCOMPARE(r.summary.method, QByteArray("POST"));
    QCOMPARE(r.summary.interimStatuses(), QList<int>{100});
    QCOMPARE(r.summary.finalStatus.value_or(0), 200);
    QCOMPARE(r.summary.bodyBytesSent, qint64(5));
    QVERIFY(r.summary.expectWaitNs.has_value());
    QCOMPARE(r.outcome, Outcome::Continued);
    QVERIFY(
        session.model()->index(0, ExchangeListModel::UrlColumn).data().toString().contains(QLatin1String("external")));
    // Issue 14: the row names what it asked for (Host + target), not its source port as a URL.
    QCOMPARE(r.peerPort, sourcePort);
    QVERIFY(session.model()
                ->index(0, ExchangeListModel::UrlColumn)
                .data()
                .toString()
                .startsWith(QLatin1String("example/ext (external client from 127.0.0.1:")));
}

// Issue 14: a real curl against our server is listed with the URL it asked for, its User-Agent and
// where it came from, in the cell and its tooltip.
void TestWorkbenchModels::externalCurlShowsItsUserAgent()
{
    TestServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    WorkbenchSession session;
    session.attachServer(&server);
    QProcess curl;
    curl.start(QStringLiteral("curl"),
               {QStringLiteral("-sS"), QStringLiteral("-o"), QStringLiteral("/dev/null"), QStringLiteral("-H"),
                QStringLiteral("Expect: 100-continue"), QStringLiteral("--data-binary"), QStringLiteral("hello"),
                server.url() + QStringLiteral("ua")});
    // The server answers on this thread: wait with the event loop running.
    QTRY_COMPARE_WITH_TIMEOUT(curl.state(), QProcess::NotRunning, 10000);
    QCOMPARE(curl.exitCode(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(session.model()->rowCount(), 1, 5000);
    const ExchangeRecord &r = session.model()->recordAt(0);
    QVERIFY(r.userAgent.startsWith(QLatin1String("curl/")));
    QCOMPARE(r.peerAddress, QStringLiteral("127.0.0.1"));
    QVERIFY(r.peerPort != server.port());
    const QModelIndex url = session.model()->index(0, ExchangeListModel::UrlColumn);
    const QString where =
        QStringLiteral("127.0.0.1:%1/ua (%2 from 127.0.0.1:%3)").arg(server.port()).arg(r.userAgent).arg(r.peerPort);
    QCOMPARE(url.data().toString(), where);
    QVERIFY2(url.data(Qt::ToolTipRole).toString().contains(QStringLiteral("User-Agent ") + r.userAgent),
             qPrintable(url.data(Qt::ToolTipRole).toString()));
}

namespace {
// Four finished rows: a 100 then 200, a 417 retried, an external curl answered 413, a failure.
ExchangeListModel *filterFixture(QObject *parent)
{
    auto *model = new ExchangeListModel(parent);
    auto row = [](int number, const char *method, const QString &url, std::optional<int> status, Outcome outcome,
                  std::optional<qint64> waitNs) {
        ExchangeRecord r;
        r.number = number;
        r.running = false;
        r.summary.method = method;
        r.summary.url = QUrl(url);
        r.summary.finalStatus = status;
        r.summary.expectWaitNs = waitNs;
        r.outcome = outcome;
        return r;
    };
    ExchangeRecord retried = row(2, "PUT", QStringLiteral("http://127.0.0.1:2/b"), 200, Outcome::Retried, 1'000'000);
    retried.summary.retried = true;
    ExchangeRecord curl = row(3, "POST", QStringLiteral("http://example:8080/up"), 413, Outcome::EarlyFinal, 200'000);
    curl.origin = ExchangeRecord::Origin::ExternalClient;
    curl.userAgent = QStringLiteral("curl/7.88.1");
    curl.peerAddress = QStringLiteral("127.0.0.1");
    curl.peerPort = 50000;
    ExchangeRecord continued =
        row(1, "POST", QStringLiteral("http://127.0.0.1:1/a"), 200, Outcome::Continued, 5'000'000);
    continued.summary.bodyBytesSent = 65536; // "64.0 KiB" in a column the filter does not read
    model->appendRecords(
        {continued, retried, curl,
         row(4, "POST", QStringLiteral("http://127.0.0.1:9/c"), std::nullopt, Outcome::Failed, std::nullopt)});
    return model;
}

QList<int> shownNumbers(const QAbstractItemModel &model)
{
    QList<int> out;
    for (int row = 0; row < model.rowCount(); ++row)
        out << model.index(row, 0).data(ExchangeListModel::NumberRole).toInt();
    return out;
}
} // namespace

// Issue 14: the list filters by status, outcome and client, every word having to match.
void TestWorkbenchModels::filterModel_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("outcome"); // -1: any
    QTest::addColumn<QList<int>>("shown");
    QTest::addColumn<bool>("lateShown"); // the row appended afterwards: 127.0.0.1:5, 413
    QTest::newRow("nothing") << QString() << -1 << QList<int>{1, 2, 3, 4} << true;
    QTest::newRow("a status") << QStringLiteral("413") << -1 << QList<int>{3} << true;
    QTest::newRow("the retry's first status") << QStringLiteral("417") << -1 << QList<int>{2} << false;
    QTest::newRow("a client") << QStringLiteral("CURL") << -1 << QList<int>{3} << false;
    QTest::newRow("a host:port") << QStringLiteral("127.0.0.1:1/") << -1 << QList<int>{1} << false;
    QTest::newRow("a method") << QStringLiteral("put") << -1 << QList<int>{2} << false;
    QTest::newRow("every word") << QStringLiteral("  post   200 ") << -1 << QList<int>{1} << false;
    QTest::newRow("no row") << QStringLiteral("post 417") << -1 << QList<int>{} << false;
    QTest::newRow("an outcome") << QString() << int(Outcome::Failed) << QList<int>{4} << false;
    QTest::newRow("an outcome and a word")
        << QStringLiteral("127.0.0.1") << int(Outcome::EarlyFinal) << QList<int>{3} << true;
    QTest::newRow("a field: the final status only") << QStringLiteral("final:417") << -1 << QList<int>{2} << false;
    QTest::newRow("a field: not in the URL") << QStringLiteral("status:9") << -1 << QList<int>{} << false;
    QTest::newRow("a port anywhere") << QStringLiteral(":1/") << -1 << QList<int>{1} << false;
    QTest::newRow("a field and a word") << QStringLiteral("URL:example post") << -1 << QList<int>{3} << false;
    QTest::newRow("an unknown field is a word") << QStringLiteral("http:") << -1 << QList<int>{} << false;
    QTest::newRow("byte counts are not searched") << QStringLiteral("KiB") << -1 << QList<int>{} << false;
}

void TestWorkbenchModels::filterModel()
{
    QFETCH(QString, text);
    QFETCH(int, outcome);
    QFETCH(QList<int>, shown);
    QFETCH(bool, lateShown);
    ExchangeListModel *model = filterFixture(this);
    ExchangeFilterModel filter;
    QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
    filter.setSourceModel(model);
    filter.setFilterText(text);
    filter.setOutcomeFilter(outcome < 0 ? std::nullopt : std::optional<Outcome>(Outcome(outcome)));
    QCOMPARE(shownNumbers(filter), shown);
    QCOMPARE(filter.isFiltering(), !text.trimmed().isEmpty() || outcome >= 0);
    // A row that arrives later is filtered as it comes.
    ExchangeRecord late;
    late.number = 5;
    late.running = false;
    late.summary.method = "POST";
    late.summary.url = QUrl(QStringLiteral("http://127.0.0.1:5/late"));
    late.summary.finalStatus = 413;
    late.outcome = Outcome::EarlyFinal;
    model->appendRecords({late});
    QCOMPARE(shownNumbers(filter).contains(5), lateShown);
    delete model;
}

// Sorting reads SortRole: waits as numbers (no wait first), not as text ("5.0" after "1.0").
void TestWorkbenchModels::filterModelSortsByValue()
{
    ExchangeListModel *model = filterFixture(this);
    ExchangeFilterModel filter;
    filter.setSourceModel(model);
    filter.sort(ExchangeListModel::ExpectWaitColumn, Qt::AscendingOrder);
    QCOMPARE(shownNumbers(filter), (QList<int>{4, 3, 2, 1}));
    filter.sort(ExchangeListModel::ExpectWaitColumn, Qt::DescendingOrder);
    QCOMPARE(shownNumbers(filter), (QList<int>{1, 2, 3, 4}));
    filter.sort(ExchangeListModel::FinalColumn, Qt::DescendingOrder);
    QCOMPARE(shownNumbers(filter).first(), 3);
    filter.sort(ExchangeListModel::NumberColumn, Qt::AscendingOrder);
    QCOMPARE(shownNumbers(filter), (QList<int>{1, 2, 3, 4}));
    delete model;
}

// Issue 14: a running exchange's Wait cell counts from its head with Expect (R5) on the model's
// clock, and stops counting at the answer.
void TestWorkbenchModels::listModelCountsALiveWait()
{
    ExchangeListModel model;
    ExchangeRecord r;
    r.number = 1;
    r.running = true;
    r.expectTimeoutMs = 1000;
    TimelineEvent head;
    head.side = Side::Client;
    head.kind = EventKind::HeadSent;
    head.tNs = 1'000'000'000;
    MessageHead request;
    request.method = "POST";
    request.headers = {{"Expect", "100-continue"}, {"Content-Length", "5"}};
    head.head = std::make_shared<MessageHead>(request);
    r.summary.events = {head};
    model.appendRecords({r});
    const QModelIndex wait = model.index(0, ExchangeListModel::ExpectWaitColumn);
    QCOMPARE(wait.data().toString(), QString()); // no clock yet
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.tickRunning(1'700'000'000);
    QCOMPARE(changed.size(), 1);
    // A tick names its roles: the overview, which plots finished waits and outcomes, skips it.
    const QList<int> roles = changed.first().at(2).value<QList<int>>();
    QVERIFY(roles.contains(Qt::DisplayRole));
    QVERIFY(!roles.contains(ExchangeListModel::OutcomeRole) && !roles.contains(ExchangeListModel::ExpectWaitMsRole));
    QCOMPARE(wait.data().toString(), QStringLiteral("waiting 0.7 s"));
    QCOMPARE(wait.data(ExchangeListModel::LiveWaitMsRole).toDouble(), 700.0);
    // The 100 ends the wait; finished rows are no longer ticked.
    TimelineEvent interim = head;
    interim.kind = EventKind::Interim;
    interim.status = 100;
    interim.head.reset();
    interim.tNs = 1'800'000'000;
    r.summary.events.append(interim);
    r.summary.expectWaitNs = 800'000'000;
    r.running = false;
    model.updateRecords({r});
    QCOMPARE(wait.data().toString(), QStringLiteral("800.0"));
    changed.clear();
    model.tickRunning(2'000'000'000);
    QCOMPARE(changed.size(), 0);
    QVERIFY(wait.data(ExchangeListModel::ExpectWaitEndedRole).toBool());

    // Cancelled after 969 ms of waiting: the overview plots a 969 ms wait, marked as not ended by
    // an answer, where it used to plot none.
    ExchangeRecord cancelled;
    cancelled.number = 2;
    cancelled.running = false;
    TimelineEvent stop = head;
    stop.kind = EventKind::Cancelled;
    stop.head.reset();
    stop.tNs = head.tNs + 969'000'000;
    cancelled.summary.events = {head, stop};
    cancelled.summary.cancelled = true;
    model.appendRecords({cancelled});
    const QModelIndex second = model.index(1, 0);
    QCOMPARE(second.data(ExchangeListModel::ExpectWaitMsRole).toDouble(), 969.0);
    QVERIFY(!second.data(ExchangeListModel::ExpectWaitEndedRole).toBool());
}

void TestWorkbenchModels::foreignStallIsTheSameOutcome()
{
    // Issue 12, case 20: a foreign client that waits 300 ms on its own timer, then sends the body
    // without a 100, is "expect timed out", as our own client doing the same is.
    TestServer server;
    server.setPolicy(*ServerPolicy::parse(QStringLiteral("ignore")));
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    WorkbenchSession session;
    session.attachServer(&server);
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, server.port());
    QVERIFY(socket.waitForConnected(5000));
    socket.write("POST /stall HTTP/1.1\r\nHost: example\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
    QTimer::singleShot(300, &socket, [&socket] { socket.write("hello"); }); // the client's own expect timer
    QTRY_VERIFY_WITH_TIMEOUT(socket.bytesAvailable() > 0, 5000);
    socket.disconnectFromHost();
    QTRY_COMPARE_WITH_TIMEOUT(session.model()->rowCount(), 1, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(!session.model()->recordAt(0).running, 5000);
    const ExchangeRecord foreign = session.model()->recordAt(0);
    QVERIFY(foreign.isExternal());
    QCOMPARE(foreign.outcome, Outcome::WaitedOut);

    ClientRequest request;
    request.url = QUrl(server.url() + QStringLiteral("stall"));
    request.body.kind = BodySpec::Kind::Text;
    request.body.text = "hello";
    request.expectTimeoutMs = 300;
    const int number = session.send(request);
    QTRY_VERIFY_WITH_TIMEOUT(
        session.model()->recordByNumber(number) && !session.model()->recordByNumber(number)->running, 5000);
    QCOMPARE(session.model()->recordByNumber(number)->outcome, Outcome::WaitedOut);
}

void TestWorkbenchModels::sessionOnNetworkThread()
{
    // As the window runs it: the server and the client on threads of their own, results as values,
    // no call that waits for another thread.
    ServerHost server;
    QSignalSpy state(&server, &ServerHost::stateChanged);
    server.setPolicy(*ServerPolicy::parse(QStringLiteral("continue")));
    server.listen(QHostAddress::LocalHost, 0);
    QVERIFY(state.wait(5000));
    QVERIFY(server.isListening());
    PartyThread client(QStringLiteral("expectlab-client"));
    {
        WorkbenchSession session;
        session.setClientThread(&client);
        session.attachServer(&server);
        QSignalSpy finished(&session, &WorkbenchSession::exchangeFinished);
        ClientRequest request;
        request.url = QUrl(server.url() + QStringLiteral("upload"));
        request.body.kind = BodySpec::Kind::Generated;
        request.body.generatedSize = 200000;
        const int number = session.send(request);
        QVERIFY(finished.wait(5000));
        const ExchangeRecord *r = session.model()->recordByNumber(number);
        QVERIFY(r);
        QCOMPARE(r->outcome, Outcome::Continued);
        QCOMPARE(r->summary.bodyBytesSent, qint64(200000));
        QTRY_COMPARE_WITH_TIMEOUT(session.model()->recordByNumber(number)->serverConnections.size(), 1, 5000);
        // Three threads, none of them this one: the server's, the client's and ours.
        QVERIFY(server.partyThread()->worker() != client.worker());

        // A policy change and a cancel cross to the other threads as queued calls.
        server.setPolicy(*ServerPolicy::parse(QStringLiteral("ignore")));
        ClientRequest waiting = request;
        waiting.expectTimeoutMs = 60000;
        const int second = session.send(waiting);
        QTRY_VERIFY_WITH_TIMEOUT(session.model()->recordByNumber(second) &&
                                     session.model()->recordByNumber(second)->summary.events.size() >= 3,
                                 5000); // connect, connected, head_sent: now waiting for a 100
        session.cancel(second);
        QVERIFY(finished.wait(5000));
        QCOMPARE(session.model()->recordByNumber(second)->outcome, Outcome::Cancelled);
        session.shutdown();
    }
}

QTEST_GUILESS_MAIN(TestWorkbenchModels)
#include "tst_workbenchmodels.moc"
