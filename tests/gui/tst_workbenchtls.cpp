// HTTPS in the workbench (issue 15): the Server panel's TLS switch serves HTTPS with the generated
// certificate, the composer (and the probe) follow the server to https:// and trust its certificate,
// the exchange's TLS handshake is on the timeline in its own colour between connect and head, the
// Wire tab says its bytes are decrypted, and the certificate can be copied and exported.
#include "composerpanel.h"
#include "exchangedetail.h"
#include "guitesthelpers.h"
#include "mainwindow.h"
#include "matrixwidget.h"
#include "probewidget.h"
#include "serverhost.h"
#include "serverpanel.h"
#include "servertlsrow.h"
#include "timelineview.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QSslSocket>
#include <QTest>

using namespace expectlab;

class TestWorkbenchTls : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void cleanup();
    void switchServesHttpsAndTheClientTrustsIt();
    void certificateIsCopiedAndExported();
    void switchIsRemembered();
    void outsideClientOverTlsIsKept();
    void matrixFollowsTheSwitch();

private:
    template <typename T> T *child(const char *name) const
    {
        T *w = m_window->findChild<T *>(QLatin1String(name));
        if (!w)
            qFatal("no child %s", name);
        return w;
    }
    void turnTlsOn();

    QTemporaryDir m_settingsDir;
    QTemporaryDir m_files;
    MainWindow *m_window = nullptr;
};

void TestWorkbenchTls::initTestCase()
{
    QVERIFY(m_settingsDir.isValid());
    QVERIFY(m_files.isValid());
    isolateSettings(m_settingsDir);
}

void TestWorkbenchTls::init()
{
    QSettings().clear();
    m_window = new MainWindow;
    m_window->setUnsavedPrompt([](const QString &) { return MainWindow::UnsavedChoice::Discard; });
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window));
    QTRY_VERIFY_WITH_TIMEOUT(m_window->server()->isListening(), 5000);
}

void TestWorkbenchTls::cleanup()
{
    delete m_window;
    m_window = nullptr;
}

void TestWorkbenchTls::turnTlsOn()
{
    QVERIFY(m_window->server()->url().startsWith(QLatin1String("http://")));
    QTest::mouseClick(child<QCheckBox>("serverTls"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->server()->url().startsWith(QLatin1String("https://")), 10000);
}

void TestWorkbenchTls::switchServesHttpsAndTheClientTrustsIt()
{
    const QString plainUrl = m_window->server()->url();
    turnTlsOn();
    // Same port, new scheme: the composer and the probe follow the server.
    QCOMPARE(m_window->server()->url(), QString(plainUrl).replace(QLatin1String("http://"), QLatin1String("https://")));
    QTRY_VERIFY(child<QLineEdit>("clientUrl")->text().startsWith(m_window->server()->url()));
    QVERIFY(child<ProbeWidget>("probeTab")->url().startsWith(m_window->server()->url()));
    QVERIFY2(child<QLabel>("serverCertificate")->text().contains(QLatin1String("SHA-256")),
             qPrintable(child<QLabel>("serverCertificate")->text()));

    auto *kind = child<QComboBox>("clientBodyKind");
    kind->setCurrentIndex(kind->findData(int(ComposerPanel::BodyKind::Generated)));
    child<QSpinBox>("clientBodyCount")->setValue(16);
    child<QCheckBox>("clientExpect")->setChecked(true);
    QTest::mouseClick(child<QPushButton>("clientSend"), Qt::LeftButton);
    const ExchangeRecord *record = waitForFinished(m_window->session(), 1);
    QVERIFY(record);
    QVERIFY2(record->summary.error.isEmpty(), qPrintable(record->summary.error));
    QCOMPARE(record->summary.finalHead.status, 200);
    QVERIFY(record->summary.tls);
    QCOMPARE(record->summary.tls->alpn, QStringLiteral("http/1.1"));

    // The handshake is its own phase, drawn in its own colour on both lanes once the server's
    // side is matched; the expect wait starts at the head.
    TimelineView *timeline = m_window->detail()->timeline();
    QTRY_VERIFY_WITH_TIMEOUT(timeline->markerCount(Meaning::Tls) >= 4, 5000);
    QList<EventKind> kinds;
    for (const TimelineEvent &e : record->summary.events)
        kinds << e.kind;
    QVERIFY(kinds.indexOf(EventKind::TlsDone) < kinds.indexOf(EventKind::HeadSent));
    QVERIFY2(m_window->detail()->wireText().contains(QLatin1String("decrypted from TLSv1.")),
             qPrintable(m_window->detail()->wireText().left(300)));

    // Off again: plain HTTP on the same port.
    QTest::mouseClick(child<QCheckBox>("serverTls"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->server()->url(), plainUrl, 10000);
    QTRY_VERIFY(child<QLineEdit>("clientUrl")->text().startsWith(plainUrl));
}

void TestWorkbenchTls::certificateIsCopiedAndExported()
{
    turnTlsOn();
    auto *row = m_window->serverPanel()->tlsRow();
    const QString certFile = m_window->server()->state().certFile;
    QVERIFY(QFile::exists(certFile));
    QCOMPARE(row->certificateFile(), certFile);
    QTRY_VERIFY(child<QPushButton>("serverCopyCertificatePath")->isVisible());
    QTest::mouseClick(child<QPushButton>("serverCopyCertificatePath"), Qt::LeftButton);
    QCOMPARE(QApplication::clipboard()->text(), certFile);

    const QString exported = m_files.filePath(QStringLiteral("exported.pem"));
    QCOMPARE(row->exportCertificate(exported), QString());
    QFile a(certFile), b(exported);
    QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
    QCOMPARE(b.readAll(), a.readAll());
    // A place that cannot be written is a sentence that names it, not a silent failure.
    const QString bad = m_files.filePath(QStringLiteral("no/such/folder/c.pem"));
    QVERIFY(row->exportCertificate(bad).contains(bad));
}

void TestWorkbenchTls::switchIsRemembered()
{
    turnTlsOn();
    m_window->close(); // saves its settings
    delete m_window;
    m_window = new MainWindow;
    m_window->show();
    QTRY_VERIFY_WITH_TIMEOUT(m_window->server()->url().startsWith(QLatin1String("https://")), 10000);
    QVERIFY(child<QCheckBox>("serverTls")->isChecked());
}

// An outside client over HTTPS is a row that says https:// and what its handshake agreed on, and
// the session file and the HAR export keep it (issue 15: sessions and HAR keep the TLS facts).
void TestWorkbenchTls::outsideClientOverTlsIsKept()
{
    turnTlsOn();
    QSslSocket outside;
    QSslConfiguration config = outside.sslConfiguration();
    config.setCaCertificates(QSslCertificate::fromPath(m_window->server()->state().certFile));
    outside.setSslConfiguration(config);
    outside.connectToHostEncrypted(QStringLiteral("127.0.0.1"), m_window->server()->port());
    QVERIFY2(outside.waitForEncrypted(10000), qPrintable(outside.errorString()));
    outside.write("PUT /from-outside HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
    QByteArray got;
    QTRY_VERIFY_WITH_TIMEOUT((got += outside.readAll()).contains("100 Continue"), 5000);
    outside.write("hi");
    QTRY_VERIFY2_WITH_TIMEOUT((got += outside.readAll()).contains("200 OK"), got.constData(), 5000);
    outside.disconnectFromHost();
    QTRY_COMPARE_WITH_TIMEOUT(m_window->session()->model()->rowCount(), 1, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(!m_window->session()->model()->recordAt(0).running, 5000);
    const ExchangeSummary row = m_window->session()->model()->recordAt(0).summary;
    QCOMPARE(row.url.scheme(), QStringLiteral("https"));
    QVERIFY(row.tls);
    QVERIFY(row.tls->protocol.startsWith(QLatin1String("TLSv1.")));

    const QString har = m_files.filePath(QStringLiteral("outside-tls.har"));
    QVERIFY(m_window->exportHarTo(har));
    QFile file(har);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject entry = QJsonDocument::fromJson(file.readAll())
                                  .object()
                                  .value(QStringLiteral("log"))
                                  .toObject()
                                  .value(QStringLiteral("entries"))
                                  .toArray()
                                  .at(0)
                                  .toObject();
    QVERIFY(entry.value(QStringLiteral("request"))
                .toObject()
                .value(QStringLiteral("url"))
                .toString()
                .startsWith(QLatin1String("https://")));
    QCOMPARE(entry.value(QStringLiteral("_tls")).toObject().value(QStringLiteral("protocol")).toString(),
             row.tls->protocol);
    QVERIFY(entry.value(QStringLiteral("timings")).toObject().value(QStringLiteral("ssl")).toDouble() > 0);

    const QString saved = m_files.filePath(QStringLiteral("outside-tls.expectlab.json"));
    QVERIFY(m_window->saveSessionTo(saved));
    QVERIFY(m_window->openSessionFrom(saved));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->session()->model()->rowCount(), 1, 5000);
    const ExchangeSummary reopened = m_window->session()->model()->recordAt(0).summary;
    QCOMPARE(reopened.url, row.url);
    QVERIFY(reopened.tls);
    QCOMPARE(reopened.tls->cipher, row.tls->cipher);
}

// The Matrix tab's local server follows the HTTPS switch, as the composer and the probe do: its
// cells are HTTPS exchanges with the switch on, plain ones with it off.
void TestWorkbenchTls::matrixFollowsTheSwitch()
{
    auto *matrix = m_window->findChild<MatrixWidget *>();
    QVERIFY(matrix);
    auto runOne = [matrix]() -> std::optional<MatrixCell> {
        for (QCheckBox *box : matrix->clientBoxes())
            box->setChecked(box->text() == QLatin1String("expect"));
        matrix->clientsEdit()->clear();
        matrix->policiesEdit()->setText(QStringLiteral("continue"));
        matrix->sizesEdit()->setText(QStringLiteral("1K"));
        matrix->urlEdit()->clear();
        QSignalSpy finished(matrix, &MatrixWidget::finished);
        if (!matrix->run() || !finished.wait(30000) || matrix->result().cells.size() != 1)
            return std::nullopt;
        return matrix->result().cells.first();
    };
    const auto plain = runOne();
    QVERIFY(plain);
    QCOMPARE(plain->summary.url.scheme(), QStringLiteral("http"));
    QVERIFY(!plain->summary.tls);

    turnTlsOn();
    const auto secure = runOne();
    QVERIFY(secure);
    QVERIFY2(secure->summary.error.isEmpty(), qPrintable(secure->summary.error));
    QCOMPARE(secure->summary.url.scheme(), QStringLiteral("https"));
    QVERIFY(secure->summary.tls);
    QCOMPARE(secure->outcome(), QStringLiteral("200"));
}

QTEST_MAIN(TestWorkbenchTls)
#include "tst_workbenchtls.moc"
