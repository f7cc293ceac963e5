// The recording proxy in the workbench (issue 16): our client's exchange through the local proxy to
// the local server is one row with three lanes, client | proxy | server, each hop's arrows between
// its lanes and the proxy's decisions on its own; an outside client's exchange through the proxy is
// a row of its own, its lane what the proxy saw of it; a session keeps both hops.
#include "clientpreset.h"
#include "composerpanel.h"
#include "exchangedetail.h"
#include "exchangelistmodel.h"
#include "guitesthelpers.h"
#include "mainwindow.h"
#include "proxyhost.h"
#include "proxypanel.h"
#include "proxyserver.h"
#include "requirepeer.h"
#include "serverhost.h"
#include "serverpanel.h"
#include "sessionrecords.h"
#include "testserver.h"
#include "timelinelayout.h"
#include "timelineview.h"
#include "workbenchsession.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDockWidget>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

using namespace expectlab;

namespace {
QStringList laneNames(const TimelineLayout &layout)
{
    QStringList names;
    for (const TimelineLayout::Lane &lane : layout.lanes)
        names << lane.name;
    return names;
}

int decisionsOf(const QList<TimelineEvent> &events, ProxyDecision d)
{
    return int(std::count_if(events.cbegin(), events.cend(), [d](const TimelineEvent &e) { return e.decision == d; }));
}
} // namespace

class TestWorkbenchProxy : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void ourClientThroughTheProxyIsOneRow();
    void outsideClientThroughTheProxy();
    void sessionKeepsBothHops();
    void composerSendsThroughTheProxy();
    void panelModesAndPresets();
    void presetsNameTheirSources();

private:
    QTemporaryDir m_settingsDir;
    struct Rig
    {
        TestServer server;
        ProxyServer proxy;
        WorkbenchSession session;
    };
    bool setUp(Rig &rig, const QString &policy, ProxyMode mode);
};

void TestWorkbenchProxy::initTestCase()
{
    QVERIFY(m_settingsDir.isValid());
    isolateSettings(m_settingsDir);
}

bool TestWorkbenchProxy::setUp(Rig &rig, const QString &policy, ProxyMode mode)
{
    rig.server.setPolicy(*ServerPolicy::parse(policy));
    if (!rig.server.listen(QHostAddress::LocalHost, 0))
        return false;
    ProxyConfig config;
    config.mode = mode;
    config.upstream = QUrl(rig.server.url());
    rig.proxy.setConfig(config);
    if (!rig.proxy.listen(QHostAddress::LocalHost, 0))
        return false;
    rig.session.attachServer(&rig.server);
    rig.session.attachProxy(&rig.proxy);
    return true;
}

// Our client -> the proxy (answer-100) -> our server under reject: the proxy's own 100 reaches the
// client, the server never sees Expect; all of it is one row, its timeline three lanes.
void TestWorkbenchProxy::ourClientThroughTheProxyIsOneRow()
{
    Rig rig;
    QVERIFY(setUp(rig, QStringLiteral("reject"), ProxyMode::Answer100));
    QAbstractItemModelTester tester(rig.session.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy finished(&rig.session, &WorkbenchSession::exchangeFinished);
    ClientRequest request;
    request.url = QUrl(rig.proxy.url() + QStringLiteral("upload"));
    request.body.kind = BodySpec::Kind::Generated;
    request.body.generatedSize = 5000;
    const int number = rig.session.send(request);
    QVERIFY(finished.wait(10000));
    QTRY_COMPARE_WITH_TIMEOUT(rig.proxy.connectionCount(), 0, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(rig.server.connectionCount(), 0, 5000);
    rig.session.flush();
    QCOMPARE(rig.session.model()->rowCount(), 1); // neither the proxy's hop nor its client is a row of its own
    const ExchangeRecord *r = rig.session.model()->recordByNumber(number);
    QVERIFY(r);
    QCOMPARE(r->summary.finalStatus, std::optional<int>(200));
    QCOMPARE(r->summary.interimStatuses(), QList<int>{100});
    QVERIFY(r->viaProxy());
    QCOMPARE(r->proxyMode, QStringLiteral("answer-100"));
    QCOMPARE(decisionsOf(r->proxyEvents, ProxyDecision::Own100), 1);
    QCOMPARE(decisionsOf(r->proxyEvents, ProxyDecision::StripExpect), 1);
    QCOMPARE(r->serverConnections.size(), 1); // the server's side: the proxy's upstream connection
    const QList<TimelineEvent> server = rig.session.serverEvents(*r);
    QVERIFY(std::none_of(server.cbegin(), server.cend(), [](const TimelineEvent &e) {
        return e.kind == EventKind::Head && e.head && e.head->hasHeader("Expect");
    }));

    ExchangeDetail detail(&rig.session);
    detail.showExchange(r);
    const TimelineLayout &layout = detail.timeline()->timelineLayout();
    QCOMPARE(laneNames(layout), (QStringList{"client", "proxy (answer-100)", "server"}));
    // Each hop's messages run between its own lanes: the head with Expect down the first hop, without
    // it down the second; the proxy's 100 up the first hop only.
    QStringList heads;
    int continuesUp = 0;
    for (const TimelineLayout::Arrow &a : layout.arrows) {
        if (a.label.startsWith(QLatin1String("head")) && a.y0 > a.y1)
            heads << QStringLiteral("%1 %2->%3").arg(a.label).arg(a.y0).arg(a.y1);
        continuesUp += a.label == QLatin1String("100") && a.y1 > a.y0;
    }
    QCOMPARE(heads, (QStringList{"head + Expect 2->1", "head 1->0"}));
    QCOMPARE(continuesUp, 1);
    QVERIFY(std::any_of(layout.markers.cbegin(), layout.markers.cend(), [](const TimelineLayout::Marker &m) {
        return m.kind == EventKind::Decision && m.tooltip.contains(QLatin1String("answer-100"));
    }));
}

// curl -> the proxy (transparent) -> our server: one row for curl's exchange, listed from what the
// proxy saw of it, with our server's connection in it; no row for the proxy's upstream connection.
void TestWorkbenchProxy::outsideClientThroughTheProxy()
{
    const QString curl = QStandardPaths::findExecutable(QStringLiteral("curl"));
    EXPECTLAB_REQUIRE_PEER(!curl.isEmpty(), QStringLiteral("curl"));
    Rig rig;
    QVERIFY(setUp(rig, QStringLiteral("continue"), ProxyMode::Transparent));
    QSignalSpy started(&rig.session, &WorkbenchSession::externalClientStarted);
    QProcess process;
    process.start(curl, {QStringLiteral("-s"), QStringLiteral("-o"), QStringLiteral("/dev/null"), QStringLiteral("-H"),
                         QStringLiteral("Expect: 100-continue"), QStringLiteral("--data-binary"),
                         QStringLiteral("hello"), rig.proxy.url() + QStringLiteral("via")});
    QTRY_VERIFY_WITH_TIMEOUT(process.state() == QProcess::NotRunning, 10000);
    QCOMPARE(process.exitCode(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(rig.proxy.connectionCount(), 0, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(rig.server.connectionCount(), 0, 5000);
    rig.session.flush();
    QCOMPARE(started.size(), 1);
    QCOMPARE(rig.session.model()->rowCount(), 1);
    const ExchangeRecord &r = rig.session.model()->recordAt(0);
    QCOMPARE(r.origin, ExchangeRecord::Origin::ProxiedClient);
    QTRY_VERIFY_WITH_TIMEOUT(!rig.session.model()->recordAt(0).running, 5000);
    QCOMPARE(r.summary.finalStatus, std::optional<int>(200));
    QCOMPARE(r.summary.interimStatuses(), QList<int>{100});
    QVERIFY2(r.userAgent.startsWith(QLatin1String("curl/")), qPrintable(r.userAgent));
    QCOMPARE(r.serverConnections.size(), 1);
    const QString url = rig.session.model()->index(0, ExchangeListModel::UrlColumn).data().toString();
    QVERIFY2(url.contains(QLatin1String("via proxy")), qPrintable(url));
    ExchangeDetail detail(&rig.session);
    detail.showExchange(&r);
    QCOMPARE(laneNames(detail.timeline()->timelineLayout()),
             (QStringList{"client, as the proxy saw it", "proxy (transparent)", "server"}));
    // Two waits for a 100: the client's, as the proxy saw it, and the proxy's own for the origin's
    // (it forwarded Expect and holds the body): a bracket on each lane that waited.
    QList<double> waits;
    for (const TimelineLayout::Bracket &b : detail.timeline()->timelineLayout().brackets)
        waits << std::round(b.y);
    std::sort(waits.begin(), waits.end());
    QCOMPARE(waits, (QList<double>{1, 2}));
}

// A session of the workbench keeps the proxy's events of both hops, and an opened one shows the
// same rows: our client's with its proxy lane, an outside client's from what the proxy saw.
void TestWorkbenchProxy::sessionKeepsBothHops()
{
    Rig rig;
    QVERIFY(setUp(rig, QStringLiteral("continue"), ProxyMode::Buffer));
    QSignalSpy finished(&rig.session, &WorkbenchSession::exchangeFinished);
    ClientRequest request;
    request.url = QUrl(rig.proxy.url() + QStringLiteral("upload"));
    request.body.kind = BodySpec::Kind::Generated;
    request.body.generatedSize = 5000;
    rig.session.send(request);
    QVERIFY(finished.wait(10000));
    QTRY_COMPARE_WITH_TIMEOUT(rig.proxy.connectionCount(), 0, 5000);
    rig.session.flush();
    const ExchangeRecord before = rig.session.model()->recordAt(0);
    QVERIFY(before.viaProxy());

    const Session saved = sessionFromWorkbench(rig.session);
    QCOMPARE(saved.proxyEvents.size(), before.proxyEvents.size());
    const WorkbenchRows rows = rowsFromSession(saved);
    QCOMPARE(rows.records.size(), 1);
    const ExchangeRecord &after = rows.records.first();
    QCOMPARE(after.origin, ExchangeRecord::Origin::LocalClient);
    QCOMPARE(after.proxyEvents.size(), before.proxyEvents.size());
    QCOMPARE(decisionsOf(after.proxyEvents, ProxyDecision::Buffered), 1);
    QCOMPARE(after.serverConnections.size(), 1);

    // A file `expectlab proxy --save` wrote: no exchange of ours, the proxy's events only.
    Session proxyOnly;
    proxyOnly.proxyEvents = saved.proxyEvents;
    const WorkbenchRows outside = rowsFromSession(proxyOnly);
    QCOMPARE(outside.records.size(), 1);
    QCOMPARE(outside.records.first().origin, ExchangeRecord::Origin::ProxiedClient);
    QCOMPARE(outside.records.first().summary.finalStatus, std::optional<int>(200));
}

// The composer's "through the local proxy": one click sends our client's request to the proxy
// (started for it, aimed at the request's server) and the row shows the three lanes.
void TestWorkbenchProxy::composerSendsThroughTheProxy()
{
    QSettings().clear();
    MainWindow window;
    window.setUnsavedPrompt([](const QString &) { return MainWindow::UnsavedChoice::Discard; });
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTRY_VERIFY_WITH_TIMEOUT(window.server()->isListening(), 5000);
    QVERIFY(!window.proxy()->isListening());
    window.serverPanel()->setPolicy(*ServerPolicy::parse(QStringLiteral("reject")));
    window.proxyPanel()->setMode(ProxyMode::Answer100);
    ComposerPanel *composer = window.composer();
    composer->setUrl(window.server()->url() + QStringLiteral("upload"));
    composer->setGeneratedBody(2, SizeUnit::KiB);
    composer->setExpect(true);
    composer->setThroughProxy(true);
    QSignalSpy started(window.session(), &WorkbenchSession::exchangeStarted);
    QCOMPARE(window.send(), 0); // not yet: the proxy starts first
    QVERIFY(started.wait(10000));
    QVERIFY(window.proxy()->isListening());
    const int number = started.first().first().toInt();
    const ExchangeRecord *r = waitForFinished(window.session(), number);
    QVERIFY(r);
    // The origin would have refused (reject), but answer-100 answered for it: Envoy's behaviour.
    QCOMPARE(r->summary.interimStatuses(), QList<int>{100});
    QCOMPARE(r->summary.finalStatus, std::optional<int>(200));
    QCOMPARE(r->summary.url.port(), int(QUrl(window.proxy()->url()).port()));
    QTRY_VERIFY_WITH_TIMEOUT(window.session()->model()->recordByNumber(number)->serverConnections.size() == 1, 5000);
    window.selectExchange(number);
    QTRY_COMPARE_WITH_TIMEOUT(laneNames(window.detail()->timeline()->timelineLayout()),
                              (QStringList{"client", "proxy (answer-100)", "server"}), 5000);
    QVERIFY(window.findChild<QLabel *>(QStringLiteral("statusProxy"))->text().contains(window.proxy()->url()));
    // The proxy's tab sits beside the server's, on a laptop screen too.
    auto *dock = window.findChild<QDockWidget *>(QStringLiteral("proxyDock"));
    QVERIFY(dock);
    QVERIFY(window.tabifiedDockWidgets(dock).contains(window.findChild<QDockWidget *>(QStringLiteral("serverDock"))));
    dock->raise();
    QVERIFY(window.minimumSizeHint().width() <= 1280);
}

// The Proxy panel: each mode says what it does and what it reproduces; a preset picks the mode; the
// configuration reaches the proxy.
void TestWorkbenchProxy::panelModesAndPresets()
{
    QSettings().clear();
    ProxyHost host;
    ProxyPanel panel(&host);
    panel.setDefaultUpstream(QUrl(QStringLiteral("http://127.0.0.1:8080/")), {});
    auto *mode = panel.findChild<QComboBox *>(QStringLiteral("proxyMode"));
    auto *text = panel.findChild<QLabel *>(QStringLiteral("proxyModeText"));
    QCOMPARE(mode->count(), int(proxyModes().size()));
    for (int i = 0; i < mode->count(); ++i) {
        const ProxyModeInfo &m = proxyModes().at(i);
        const QString tip = mode->itemData(i, Qt::ToolTipRole).toString();
        QVERIFY2(tip.contains(m.source.toHtmlEscaped()), qPrintable(tip));
        if (!m.reproduces.isEmpty())
            QVERIFY2(tip.contains(m.reproduces.toHtmlEscaped()), qPrintable(tip));
    }
    panel.applyPreset(QStringLiteral("envoy"));
    QCOMPARE(panel.config().mode, ProxyMode::Answer100);
    QVERIFY(text->text().contains(QLatin1String("Envoy")));
    QTRY_COMPARE_WITH_TIMEOUT(host.state().config.mode, ProxyMode::Answer100, 5000);
    panel.applyPreset(QStringLiteral("squid27"));
    QCOMPARE(panel.config().mode, ProxyMode::RejectExpect);
    // A forward proxy refuses remote targets unless told.
    panel.findChild<QRadioButton *>(QStringLiteral("proxyForward"))->setChecked(true);
    QVERIFY(panel.config().forward);
    QVERIFY(!panel.config().allowRemote);
    // A bad upstream is said, not used.
    panel.findChild<QRadioButton *>(QStringLiteral("proxyReverse"))->setChecked(true);
    auto *upstream = panel.findChild<QLineEdit *>(QStringLiteral("proxyUpstream"));
    upstream->setText(QStringLiteral("ftp://x"));
    emit upstream->editingFinished();
    QVERIFY2(panel.errorText().contains(QLatin1String("ftp://x")), qPrintable(panel.errorText()));
    // Start and stop.
    upstream->clear();
    QVERIFY(panel.start());
    QTRY_VERIFY_WITH_TIMEOUT(host.isListening(), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(panel.findChild<QLabel *>(QStringLiteral("proxyState"))->text().contains(host.url()),
                             5000);
    panel.stop();
    QTRY_VERIFY_WITH_TIMEOUT(!host.isListening(), 5000);
}

void TestWorkbenchProxy::presetsNameTheirSources()
{
    QString error;
    const QList<ProxyPreset> presets = loadProxyPresets(QStringLiteral(":/presets/proxies.json"), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(presets.size() >= 10);
    QSet<QString> modes;
    for (const ProxyPreset &p : presets) {
        QVERIFY2(!p.source.isEmpty(), qPrintable(p.id));
        modes << p.mode;
    }
    // Every mode that reproduces a named intermediary has its preset.
    for (const ProxyModeInfo &m : proxyModes()) {
        if (!m.reproduces.isEmpty() && m.mode != ProxyMode::StripExpect)
            QVERIFY2(modes.contains(m.name), qPrintable(m.name));
    }
}

QTEST_MAIN(TestWorkbenchProxy)
#include "tst_workbenchproxy.moc"
