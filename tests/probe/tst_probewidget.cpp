// The Probe tab offscreen: Run against the real test server, the results table with verdict colours
// and rule ids, the evidence of the selected row, export of JSON and JUnit, visible errors.
#include "proberesultsmodel.h"
#include "probewidget.h"
#include "testserver.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QTableView>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace expectlab;

class TstProbeWidget : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void runShowsResults_data();
    void runShowsResults();
    void unreachableShowsOneError();
    void badUrlIsRefused();
    void modelIsConsistent();
};

void TstProbeWidget::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("ExpectLabTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_probewidget"));
    QSettings().clear();
}

void TstProbeWidget::runShowsResults_data()
{
    QTest::addColumn<QString>("policy");
    QTest::addColumn<QString>("firstVerdict");
    QTest::addColumn<QString>("firstColor");
    QTest::newRow("continue") << "continue"
                              << "pass" << ProbeResultsModel::verdictColorName(ProbeVerdict::Pass);
    QTest::newRow("ignore") << "ignore"
                            << "fail" << ProbeResultsModel::verdictColorName(ProbeVerdict::Fail);
}

void TstProbeWidget::runShowsResults()
{
    QFETCH(QString, policy);
    QFETCH(QString, firstVerdict);
    QFETCH(QString, firstColor);

    TestServer server;
    server.setPolicy(*ServerPolicy::parse(policy));
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    ProbeWidget w;
    w.resize(1000, 700);
    w.show();
    w.setUrl(server.url());
    w.setTimeoutMs(500);
    auto *run = w.findChild<QPushButton *>();
    QVERIFY(run);
    QTest::mouseClick(run, Qt::LeftButton);
    QVERIFY(w.isRunning());
    QTRY_VERIFY_WITH_TIMEOUT(!w.isRunning(), 20000);

    ProbeResultsModel *model = w.resultsModel();
    QCOMPARE(model->rowCount(), 10);
    auto *progress = w.findChild<QProgressBar *>();
    QCOMPARE(progress->value(), progress->maximum());
    auto *table = w.findChild<QTableView *>();
    const QModelIndex verdict = table->model()->index(0, ProbeResultsModel::VerdictColumn);
    QCOMPARE(verdict.data().toString(), firstVerdict);
    QCOMPARE(verdict.data(Qt::ForegroundRole).value<QColor>(), QColor(firstColor));
    QCOMPARE(table->model()->index(0, ProbeResultsModel::RulesColumn).data().toString(), QStringLiteral("R11 R12"));
    QVERIFY(w.statusText().contains(QLatin1String("pass")));

    // Evidence of the selected row: the verdict line, then its events.
    w.selectScenario(0);
    auto *evidence = w.findChild<QListWidget *>();
    QVERIFY(evidence->count() > 3);
    QVERIFY(evidence->item(0)->text().startsWith(firstVerdict));
    QVERIFY(evidence->item(1)->text().contains(QLatin1String("connect")));

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QString error;
    QVERIFY2(w.exportJson(dir.filePath(QStringLiteral("p.json")), &error), qPrintable(error));
    QFile json(dir.filePath(QStringLiteral("p.json")));
    QVERIFY(json.open(QIODevice::ReadOnly));
    const QJsonObject doc = QJsonDocument::fromJson(json.readAll()).object();
    QCOMPARE(doc.value(QStringLiteral("scenarios")).toArray().size(), 10);
    QCOMPARE(
        doc.value(QStringLiteral("scenarios")).toArray().first().toObject().value(QStringLiteral("verdict")).toString(),
        firstVerdict);
    QVERIFY2(w.exportJUnit(dir.filePath(QStringLiteral("p.xml")), &error), qPrintable(error));
    QFile xml(dir.filePath(QStringLiteral("p.xml")));
    QVERIFY(xml.open(QIODevice::ReadOnly));
    QVERIFY(xml.readAll().contains("<testsuites>"));
    // An unwritable place is a visible error, not a crash.
    QVERIFY(!w.exportJson(dir.filePath(QStringLiteral("no/such/dir/p.json")), &error));
    QVERIFY(!error.isEmpty());
}

void TstProbeWidget::unreachableShowsOneError()
{
    quint16 port = 0;
    {
        QTcpServer s;
        QVERIFY(s.listen(QHostAddress::LocalHost, 0));
        port = s.serverPort();
    }
    ProbeWidget w;
    w.setUrl(QStringLiteral("http://127.0.0.1:%1/").arg(port));
    w.setTimeoutMs(500);
    w.run();
    QTRY_VERIFY_WITH_TIMEOUT(!w.isRunning(), 10000);
    QCOMPARE(w.resultsModel()->rowCount(), 0);
    QVERIFY2(w.statusText().contains(QLatin1String("cannot connect")), qPrintable(w.statusText()));
}

void TstProbeWidget::badUrlIsRefused()
{
    ProbeWidget w;
    w.setUrl(QStringLiteral("ftp://127.0.0.1/"));
    w.run();
    QVERIFY(!w.isRunning());
    QVERIFY(w.statusText().contains(QLatin1String("http://")));
}

void TstProbeWidget::modelIsConsistent()
{
    ProbeResultsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    ProbeResult r;
    r.id = QStringLiteral("x");
    r.rules = {QStringLiteral("R1")};
    r.verdict = ProbeVerdict::Warn;
    model.addResult(r);
    model.addResult(r);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(1, ProbeResultsModel::RulesColumn).data().toString(), QStringLiteral("R1"));
    QCOMPARE(model.index(1, 0).data(ProbeResultsModel::VerdictColorRole).toString(),
             ProbeResultsModel::verdictColorName(ProbeVerdict::Warn));
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

QTEST_MAIN(TstProbeWidget)
#include "tst_probewidget.moc"
