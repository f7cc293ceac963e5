// core/timeline without sockets or widgets (issue 13: what was thin): the wire log's bounds and
// folding, where the layout's arrows start and end, and where marker labels go at a given zoom.

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
    void labelsStackOnlyWhenTheyWouldTouch_data();
    void labelsStackOnlyWhenTheyWouldTouch();
    void lowestLaneLabelsBelow();
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

void TestTimeline::labelsStackOnlyWhenTheyWouldTouch_data()
{
    QTest::addColumn<double>("msPerPixel");
    QTest::addColumn<QList<int>>("levels");
    // Labels at 1.0, 1.1 and 5 ms on the client lane, and a 30 px gap that keeps them apart.
    QTest::newRow("zoomed out: the first two touch") << 0.01 << QList<int>{0, 1, 0};
    QTest::newRow("zoomed far out: all three touch") << 1.0 << QList<int>{0, 1, 2};
    QTest::newRow("zoomed in: none touch") << 0.001 << QList<int>{0, 0, 0};
}

void TestTimeline::labelsStackOnlyWhenTheyWouldTouch()
{
    QFETCH(double, msPerPixel);
    QFETCH(QList<int>, levels);
    const QList<TimelineEvent> client{ev(Side::Client, EventKind::Interim, 1.0, 100),
                                      ev(Side::Client, EventKind::Interim, 1.1, 103),
                                      ev(Side::Client, EventKind::Final, 5, 200)};
    const TimelineLayout l = TimelineLayout::build(client, {}, 1'000'000'000);
    const QList<TimelineLayout::LabelSlot> placed = l.placeMarkerLabels(msPerPixel);
    QCOMPARE(placed.size(), 3);
    QList<int> got;
    for (const TimelineLayout::LabelSlot &s : placed) {
        got << s.level;
        const TimelineLayout::Marker &m = l.markers.at(s.marker);
        QVERIFY(!m.label.isEmpty());
        QCOMPARE(s.y, m.y + TimelineLayout::kLabelOffset + TimelineLayout::kLabelLevelStep * s.level);
    }
    QCOMPARE(got, levels);
}

void TestTimeline::lowestLaneLabelsBelow()
{
    const TimelineLayout l = TimelineLayout::build({ev(Side::Client, EventKind::Interim, 1, 100)},
                                                   {ev(Side::Server, EventKind::InterimSent, 0.9, 100)});
    QCOMPARE(l.lanes.size(), 2);
    const QList<TimelineLayout::LabelSlot> placed = l.placeMarkerLabels(0.01);
    QCOMPARE(placed.size(), 2);
    for (const TimelineLayout::LabelSlot &s : placed) {
        const TimelineLayout::Marker &m = l.markers.at(s.marker);
        const TimelineLayout::Lane *lane = l.laneAt(m.y);
        QVERIFY(lane);
        QCOMPARE(s.below, lane->labelsBelow);
        QCOMPARE(s.below, m.side == Side::Server); // two lanes: the server's is the lower one
        QVERIFY(s.below ? s.y < m.y : s.y > m.y);
        QCOMPARE(s.level, 0); // on different lanes, labels never stack on each other
    }
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
