// core/timeline without sockets or widgets (issue 13: what was thin): the wire log's bounds and
// folding, where the layout's arrows start and end, label placement, the compressed axis.

#include "labelplacer.h"
#include "timelinelayout.h"
#include "wirelog.h"

#include <QTest>

using namespace expectlab;

namespace {
TimelineEvent ev(Side side, EventKind kind, double ms, int status = 0)
{
    TimelineEvent e;
    e.side = side;
    e.kind = kind;
    e.conn = 1;
    e.tNs = 1'000'000'000 + qint64(ms * 1e6);
    e.status = status;
    return e;
}
} // namespace

class TestTimeline : public QObject
{
    Q_OBJECT

private slots:
    void wireLogKeepsHeadsAndFoldsBodies();
    void wireLogIsBounded();
    void arrowsRunFromSenderToReceiver();
    void labelPlacerNudgesOrDrops_data();
    void labelPlacerNudgesOrDrops();
    void idleGapsAreCompressed();
    void liveWaitAndUnsentBody();
    void threePartiesPairEachHop();
};

void TestTimeline::wireLogKeepsHeadsAndFoldsBodies()
{
    WireLog log;
    const QByteArray head = "POST /up HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 1000\r\n\r\n";
    log.add(WireLog::Direction::Sent, 10, head, false);
    log.add(WireLog::Direction::Received, 20, "HTTP/1.1 100 Continue\r\n\r\n", false);
    for (int i = 0; i < 10; ++i)
        log.add(WireLog::Direction::Sent, 30 + i, QByteArray(100, 'b'), true);
    QCOMPARE(log.records().size(), 3);
    QCOMPARE(log.records().at(0).bytes, head); // a head whole
    const WireLog::Record &body = log.records().at(2);
    QVERIFY(body.body);
    QCOMPARE(body.byteCount, qint64(1000)); // ten writes, one record
    QCOMPARE(body.bytes.size(), WireLog::kBodyPreview);
    QVERIFY(body.truncated());
    QCOMPARE(body.firstNs, qint64(30));
    QCOMPARE(body.lastNs, qint64(39));
    QCOMPARE(log.totalBytes(WireLog::Direction::Sent), qint64(head.size() + 1000));
    // A body the other way is a record of its own.
    log.add(WireLog::Direction::Received, 50, "ok", true);
    QCOMPARE(log.records().size(), 4);
    // A preview that stands for more bytes than it holds.
    log.add(WireLog::Direction::Received, 60, "HTTP/1.1 200 OK\r\n\r\n", false);
    log.add(WireLog::Direction::Received, 61, "abc", true, 1'000'000);
    QCOMPARE(log.records().last().byteCount, qint64(1'000'000));
    QVERIFY(log.toText(0).contains(QLatin1String("POST /up")));
}

void TestTimeline::wireLogIsBounded()
{
    WireLog log(1024);
    for (int i = 0; i < 100; ++i)
        log.add(i % 2 ? WireLog::Direction::Received : WireLog::Direction::Sent, i, QByteArray(100, 'h'), false);
    QVERIFY(log.isFull());
    qsizetype kept = 0;
    for (const WireLog::Record &r : log.records())
        kept += r.bytes.size();
    QVERIFY(kept <= 1024);
    QVERIFY(log.droppedRecords() > 0);
    // Nothing is lost from the totals: kept plus dropped is what went each way.
    QCOMPARE(log.totalBytes(WireLog::Direction::Sent), qint64(50 * 100));
    QCOMPARE(log.totalBytes(WireLog::Direction::Received), qint64(50 * 100));

    WireLog many;
    for (int i = 0; i < WireLog::kMaxRecords + 10; ++i)
        many.add(i % 2 ? WireLog::Direction::Received : WireLog::Direction::Sent, i, "x", false);
    QCOMPARE(many.records().size(), WireLog::kMaxRecords);
    QCOMPARE(many.droppedRecords(), qint64(10));
}

void TestTimeline::arrowsRunFromSenderToReceiver()
{
    const QList<TimelineEvent> client{ev(Side::Client, EventKind::Connect, 0), ev(Side::Client, EventKind::HeadSent, 1),
                                      ev(Side::Client, EventKind::Interim, 3.5, 100),
                                      ev(Side::Client, EventKind::Final, 6, 200)};
    const QList<TimelineEvent> server{
        ev(Side::Server, EventKind::Accepted, 0.2), ev(Side::Server, EventKind::Head, 1.25),
        ev(Side::Server, EventKind::InterimSent, 3.25, 100), ev(Side::Server, EventKind::FinalSent, 5.5, 200)};
    const TimelineLayout l = TimelineLayout::build(client, server);
    auto arrowAt = [&l](double t0) -> const TimelineLayout::Arrow * {
        for (const TimelineLayout::Arrow &a : l.arrows)
            if (qFuzzyCompare(a.t0Ms + 1, t0 + 1))
                return &a;
        return nullptr;
    };
    const TimelineLayout::Arrow *head = arrowAt(1);
    QVERIFY(head);
    QCOMPARE(head->y0, TimelineLayout::kClientY);
    QCOMPARE(head->t1Ms, 1.25);
    QCOMPARE(head->y1, TimelineLayout::kServerY);
    const TimelineLayout::Arrow *cont = arrowAt(3.25);
    QVERIFY(cont);
    QCOMPARE(cont->meaning, Meaning::Continue);
    QCOMPARE(cont->y0, TimelineLayout::kServerY);
    QCOMPARE(cont->t1Ms, 3.5);
    QCOMPARE(cont->y1, TimelineLayout::kClientY);
    const TimelineLayout::Arrow *final = arrowAt(5.5);
    QVERIFY(final);
    QCOMPARE(final->meaning, Meaning::Success);
    QCOMPARE(final->t1Ms, 6.0);
}

void TestTimeline::labelPlacerNudgesOrDrops_data()
{
    QTest::addColumn<QList<QRectF>>("candidates");
    QTest::addColumn<int>("expectedCandidate"); // -1: dropped
    QTest::addColumn<double>("expectedLeft");
    // Bounds 0..200 x 0..100; one label already at (50, 40) 40x12 and an obstacle (a marker) at 100,10.
    const QRectF taken(50, 40, 40, 12);
    QTest::newRow("free first choice") << QList<QRectF>{QRectF(0, 0, 30, 12)} << 0 << 0.0;
    QTest::newRow("first overlaps, second free")
        << QList<QRectF>{taken.translated(10, 0), QRectF(50, 60, 40, 12)} << 1 << 50.0;
    QTest::newRow("touching within the margin counts") << QList<QRectF>{taken.translated(41, 0)} << -1 << 0.0;
    QTest::newRow("sticking out on the left moves in") << QList<QRectF>{QRectF(-20, 80, 40, 12)} << 0 << 0.0;
    QTest::newRow("sticking out on the right moves in") << QList<QRectF>{QRectF(180, 80, 40, 12)} << 0 << 160.0;
    QTest::newRow("anchor scrolled out of view: skipped") << QList<QRectF>{QRectF(190, 80, 40, 12)} << -1 << 0.0;
    QTest::newRow("above the bounds: skipped") << QList<QRectF>{QRectF(0, -5, 40, 12)} << -1 << 0.0;
    QTest::newRow("wider than the bounds: skipped") << QList<QRectF>{QRectF(0, 80, 260, 12)} << -1 << 0.0;
    QTest::newRow("on the obstacle") << QList<QRectF>{QRectF(95, 5, 20, 12)} << -1 << 0.0;
}

void TestTimeline::labelPlacerNudgesOrDrops()
{
    QFETCH(QList<QRectF>, candidates);
    QFETCH(int, expectedCandidate);
    QFETCH(double, expectedLeft);
    LabelPlacer placer(QRectF(0, 0, 200, 100));
    QVERIFY(placer.place({QRectF(50, 40, 40, 12)}).has_value());
    placer.addObstacle(QRectF(100, 10, 10, 10));
    const std::optional<QRectF> got = placer.place(candidates);
    QCOMPARE(got.has_value(), expectedCandidate >= 0);
    if (!got)
        return;
    QCOMPARE(got->left(), expectedLeft);
    QCOMPARE(got->top(), candidates.at(expectedCandidate).top());
    for (qsizetype i = 0; i + 1 < placer.taken().size(); ++i)
        QVERIFY(!placer.taken().at(i).intersects(*got));
}

// A 1 s wait between bursts of microseconds (an ignore policy and the client's R5 timer): the warp
// compresses the gap, keeps each burst linear, and maps back exactly.
void TestTimeline::idleGapsAreCompressed()
{
    const QList<double> times{0, 0.2, 0.4, 1000.4, 1000.6, 1001.2};
    const TimeWarp warp = TimeWarp::compressing(times);
    QCOMPARE(warp.gaps().size(), 1);
    const TimeWarp::Gap gap = warp.gaps().first();
    QCOMPARE(gap.startMs, 0.4);
    QCOMPARE(gap.endMs, 1000.4);
    QVERIFY(qFuzzyCompare(gap.lengthMs(), 1000.0));
    // The bursts keep their own scale; the gap is a fraction of them.
    QVERIFY(qFuzzyCompare(warp.displayLength(0, 0.4), 0.4));
    QVERIFY(qFuzzyCompare(warp.displayLength(1000.4, 1001.2), 0.8));
    QVERIFY(warp.displayLength(0.4, 1000.4) < 0.5);
    QVERIFY(warp.displayLength(0.4, 1000.4) > 0.05);
    double previous = -1;
    for (double t = 0; t <= 1001.2; t += 0.37) {
        const double x = warp.toDisplay(t);
        QVERIFY(x > previous); // strictly increasing
        QVERIFY(qAbs(warp.toReal(x) - t) < 1e-9);
        previous = x;
    }
    // A short exchange, or one whose gaps are small against the whole, stays linear.
    QVERIFY(TimeWarp::compressing({0, 1, 2, 3, 4.5}).isIdentity());
    QVERIFY(TimeWarp::compressing({0, 30, 60, 90, 120}).isIdentity());
    // The layout of a real stall carries the warp and marks the timeout with its own shape.
    QList<TimelineEvent> client{ev(Side::Client, EventKind::Connect, 0), ev(Side::Client, EventKind::HeadSent, 0.4),
                                ev(Side::Client, EventKind::ExpectTimeout, 1000.4),
                                ev(Side::Client, EventKind::BodyStart, 1000.5),
                                ev(Side::Client, EventKind::Final, 1001.2, 200)};
    const TimelineLayout l = TimelineLayout::build(client, {}, 1'000'000'000);
    QCOMPARE(l.warp.gaps().size(), 1);
    QCOMPARE(l.markers.at(0).shape, MarkerShape::Connect);
    QCOMPARE(l.markers.at(2).shape, MarkerShape::Timeout);
    QCOMPARE(l.markers.at(4).shape, MarkerShape::Message);

    // A 2 s upload between BodyStart and BodyDone is bytes moving, not idle time: never compressed.
    QVERIFY(TimeWarp::compressing({0, 0.4, 2000.4, 2000.6}, {{0.4, 2000.4}}).isIdentity());
    QList<TimelineEvent> upload{ev(Side::Client, EventKind::Connect, 0), ev(Side::Client, EventKind::BodyStart, 0.4),
                                ev(Side::Client, EventKind::BodyDone, 2000.4),
                                ev(Side::Client, EventKind::Final, 2000.6, 200)};
    QVERIFY(TimelineLayout::build(upload, {}, 1'000'000'000).warp.isIdentity());
}

// Issue 14: while a client waits for a 100 the bracket grows to now and counts towards the timeout;
// the body an early final spared is a span of its own, marked unsent (R21).
void TestTimeline::liveWaitAndUnsentBody()
{
    TimelineEvent head = ev(Side::Client, EventKind::HeadSent, 1);
    MessageHead h;
    h.method = "PUT";
    setHeader(h.headers, "Expect", "100-continue");
    setHeader(h.headers, "Content-Length", "10485760");
    head.withHead(h);
    const QList<TimelineEvent> waiting{ev(Side::Client, EventKind::Connect, 0), head};
    const TimelineLayout live =
        TimelineLayout::build(waiting, {}, 1'000'000'000, TimelineLayout::Live{1'000'000'000 + 701'000'000, 1000});
    QCOMPARE(live.brackets.size(), 1);
    QVERIFY(live.brackets.first().live);
    QCOMPARE(live.brackets.first().t1Ms, 701.0);
    QCOMPARE(live.brackets.first().label, QStringLiteral("waiting for 100: 0.7 of 1.0 s (R5)"));
    QCOMPARE(TimelineLayout::build(waiting, {}, 1'000'000'000).brackets.size(), 0); // not live: no wait yet

    TimelineEvent final = ev(Side::Client, EventKind::Final, 2, 413);
    final.bodyNotSent = 10485760;
    const TimelineLayout early = TimelineLayout::build(waiting + QList<TimelineEvent>{final}, {}, 1'000'000'000);
    const auto unsent = std::find_if(early.spans.cbegin(), early.spans.cend(), [](const auto &s) { return s.unsent; });
    QVERIFY(unsent != early.spans.cend());
    QCOMPARE(unsent->t0Ms, 2.0);
    QCOMPARE(unsent->label, QStringLiteral("10.0 MiB not sent (R21)"));
    // A fitted layout keeps the handshake in focus while live, the wait that grows being the point.
    QCOMPARE(live.focusEndMs, live.endMs);

    // After a 417 the retry sends the body after all (R6): the unsent span ends at the retry.
    TimelineEvent refused = ev(Side::Client, EventKind::Final, 2, 417);
    refused.bodyNotSent = 10485760;
    const QList<TimelineEvent> retried = waiting + QList<TimelineEvent>{refused, ev(Side::Client, EventKind::Retry, 3),
                                                                        ev(Side::Client, EventKind::Final, 40, 200)};
    const TimelineLayout again = TimelineLayout::build(retried, {}, 1'000'000'000);
    const auto spared = std::find_if(again.spans.cbegin(), again.spans.cend(), [](const auto &s) { return s.unsent; });
    QVERIFY(spared != again.spans.cend());
    QCOMPARE(spared->t1Ms, 3.0);
}

// A proxy between client and server: three lanes from data, each hop's messages between its two
// neighbours only, the proxy's two bodies (received, sent on) on its own lane, one bracket per waiter.
void TestTimeline::threePartiesPairEachHop()
{
    auto expectHead = [](Side side, EventKind kind, double ms) {
        TimelineEvent e = ev(side, kind, ms);
        MessageHead h;
        h.method = "POST";
        h.headers = {{"Expect", "100-continue"}, {"Content-Length", "4"}}; // a body to hold back
        e.withHead(h);
        return e;
    };
    const QList<TimelineEvent> client{
        ev(Side::Client, EventKind::Connect, 0),      expectHead(Side::Client, EventKind::HeadSent, 1),
        ev(Side::Client, EventKind::Interim, 6, 100), ev(Side::Client, EventKind::BodyStart, 7),
        ev(Side::Client, EventKind::BodyDone, 8),     ev(Side::Client, EventKind::Final, 12, 200)};
    // The proxy: a server towards the client, a client towards the upstream.
    const QList<TimelineEvent> proxy{
        ev(Side::Server, EventKind::Accepted, 0.5),   expectHead(Side::Server, EventKind::Head, 1.5),
        ev(Side::Client, EventKind::Connect, 2),      expectHead(Side::Client, EventKind::HeadSent, 3),
        ev(Side::Client, EventKind::Interim, 5, 100), ev(Side::Server, EventKind::InterimSent, 5.5, 100),
        ev(Side::Server, EventKind::BodyStart, 7.5),  ev(Side::Client, EventKind::BodyStart, 8.5),
        ev(Side::Server, EventKind::BodyDone, 8.6),   ev(Side::Client, EventKind::BodyDone, 9),
        ev(Side::Client, EventKind::Final, 11, 200),  ev(Side::Server, EventKind::FinalSent, 11.5, 200)};
    const QList<TimelineEvent> server{
        ev(Side::Server, EventKind::Accepted, 2.5),       expectHead(Side::Server, EventKind::Head, 3.5),
        ev(Side::Server, EventKind::InterimSent, 4, 100), ev(Side::Server, EventKind::BodyStart, 9),
        ev(Side::Server, EventKind::BodyDone, 9.5),       ev(Side::Server, EventKind::FinalSent, 10, 200)};
    const TimelineLayout l = TimelineLayout::buildTracks(
        {{QStringLiteral("client"), client}, {QStringLiteral("proxy"), proxy}, {QStringLiteral("server"), server}});
    QCOMPARE(l.lanes.size(), 3);
    QCOMPARE(l.lanes.at(0).y, 2.0);
    QCOMPARE(l.lanes.at(1).y, 1.0);
    QCOMPARE(l.lanes.at(2).y, 0.0);
    QVERIFY(!l.lanes.at(0).labelsBelow && !l.lanes.at(1).labelsBelow && l.lanes.at(2).labelsBelow);
    // Each hop: connect, head, body down; 100 and 200 up. Nothing skips the proxy.
    QCOMPARE(l.arrows.size(), 10);
    for (const auto &a : l.arrows)
        QCOMPARE(std::abs(a.y0 - a.y1), 1.0);
    auto arrowAt = [&](double t0) {
        for (const auto &a : l.arrows)
            if (qFuzzyCompare(a.t0Ms + 1, t0 + 1))
                return a;
        return TimelineLayout::Arrow{-1, -1, -1, -1, Meaning::Neutral, {}};
    };
    QCOMPARE(arrowAt(3).y0, 1.0); // the proxy's own head goes to the server
    QCOMPARE(arrowAt(3).y1, 0.0);
    QCOMPARE(arrowAt(3).t1Ms, 3.5);
    QCOMPARE(arrowAt(5.5).y1, 2.0); // the proxy relays the 100 to its client
    QCOMPARE(arrowAt(5.5).t1Ms, 6.0);
    // Bodies: the client's, the proxy's received and sent, the server's.
    QCOMPARE(l.spans.size(), 4);
    QCOMPARE(std::count_if(l.spans.cbegin(), l.spans.cend(), [](const auto &s) { return s.y == 1.0; }), 2);
    // The client waits for the proxy, the proxy for the server.
    QCOMPARE(l.brackets.size(), 2);
    QCOMPARE(l.brackets.at(0).t1Ms - l.brackets.at(0).t0Ms, 5.0);
    QCOMPARE(l.brackets.at(1).t1Ms - l.brackets.at(1).t0Ms, 2.0);
    QVERIFY(l.yMax() > 2.0 && l.yMin() < 0.0);
}

QTEST_GUILESS_MAIN(TestTimeline)
#include "tst_timeline.moc"
