#include "mainwindow.h"

#include "exchangereport.h"
#include "exchangerunner.h"
#include "monotonicclock.h"
#include "testserver.h"

#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QStatusBar>

namespace expectlab {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_server(new TestServer(this))
{
    setWindowTitle(tr("ExpectLab"));
    auto *splitter = new QSplitter(this);

    auto *serverBox = new QGroupBox(tr("Server"), splitter);
    auto *serverForm = new QFormLayout(serverBox);
    m_policy = new QComboBox(serverBox);
    m_policy->setEditable(true);
    m_policy->addItems({QStringLiteral("continue"), QStringLiteral("delay:300"), QStringLiteral("ignore"),
                        QStringLiteral("reject"), QStringLiteral("final:413"), QStringLiteral("close")});
    serverForm->addRow(tr("Policy"), m_policy);
    m_serverLog = new QPlainTextEdit(serverBox);
    m_serverLog->setReadOnly(true);
    serverForm->addRow(m_serverLog);

    auto *clientBox = new QGroupBox(tr("Client"), splitter);
    auto *clientForm = new QFormLayout(clientBox);
    m_url = new QLineEdit(clientBox);
    clientForm->addRow(tr("URL"), m_url);
    m_bodySize = new QSpinBox(clientBox);
    m_bodySize->setRange(0, 1 << 30);
    m_bodySize->setValue(1024);
    m_bodySize->setSuffix(tr(" bytes"));
    clientForm->addRow(tr("Body"), m_bodySize);
    m_send = new QPushButton(tr("Send"), clientBox);
    clientForm->addRow(m_send);
    m_clientLog = new QPlainTextEdit(clientBox);
    m_clientLog->setReadOnly(true);
    clientForm->addRow(m_clientLog);

    setCentralWidget(splitter);
    resize(1100, 650);

    connect(m_policy, &QComboBox::currentTextChanged, this, &MainWindow::applyPolicy);
    connect(m_send, &QPushButton::clicked, this, &MainWindow::send);
    connect(m_server, &TestServer::eventRecorded, this, [this](const TimelineEvent &e) {
        m_serverLog->appendPlainText(eventToTextLine(e, 0));
    });
    startServer();
}

void MainWindow::startServer()
{
    if (m_server->listen(QHostAddress::LocalHost, 0)) {
        m_url->setText(m_server->url() + QStringLiteral("upload"));
        statusBar()->showMessage(tr("Server listening on %1").arg(m_server->url()));
    } else {
        statusBar()->showMessage(m_server->errorString());
    }
}

void MainWindow::applyPolicy()
{
    QString error;
    if (const auto policy = ServerPolicy::parse(m_policy->currentText(), &error)) {
        m_server->setPolicy(*policy);
        statusBar()->showMessage(policy->describe());
    } else {
        statusBar()->showMessage(error);
    }
}

void MainWindow::send()
{
    ClientRequest request;
    request.url = QUrl(m_url->text());
    if (m_bodySize->value() > 0) {
        request.body.kind = BodySpec::Kind::Generated;
        request.body.generatedSize = m_bodySize->value();
    }
    auto *runner = new ExchangeRunner(m_nextExchange++, request, this);
    connect(runner, &ExchangeRunner::eventRecorded, this, [this](const TimelineEvent &e) {
        m_clientLog->appendPlainText(eventToTextLine(e, 0));
    });
    connect(runner, &ExchangeRunner::finished, this, [this, runner] {
        statusBar()->showMessage(runner->exchange().summary().outcomeText());
        runner->deleteLater();
    });
    runner->start();
}

} // namespace expectlab
