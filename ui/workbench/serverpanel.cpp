#include "serverpanel.h"

#include "servertlsrow.h"

#include "clientpreset.h"
#include "exchangereport.h"
#include "serverhost.h"

#include <QComboBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QIntValidator>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

namespace expectlab {

namespace {
bool isLoopback(const QString &host)
{
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}
} // namespace

ServerPanel::ServerPanel(ServerHost *server, QWidget *parent)
    : QWidget(parent)
    , m_server(server)
    , m_logTimer(new QTimer(this))
{
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

    auto *hostRow = new QHBoxLayout;
    m_host = new QComboBox(this);
    m_host->setObjectName(QStringLiteral("serverHost"));
    m_host->setEditable(true);
    m_host->addItem(QStringLiteral("127.0.0.1"));
    m_host->addItem(QStringLiteral("::1"));
    m_host->addItem(QStringLiteral("0.0.0.0"));
    m_host->addItem(QStringLiteral("::"));
    m_host->setItemData(0, tr("Loopback: only programs on this machine can connect"), Qt::ToolTipRole);
    m_host->setItemData(1, tr("IPv6 loopback: only programs on this machine can connect"), Qt::ToolTipRole);
    m_host->setItemData(2, tr("Every IPv4 interface: other machines can connect"), Qt::ToolTipRole);
    m_host->setItemData(3, tr("Every interface: other machines can connect"), Qt::ToolTipRole);
    m_host->setToolTip(tr("Address to listen on; 127.0.0.1 unless you need other machines to connect"));
    hostRow->addWidget(m_host, 1);
    hostRow->addWidget(new QLabel(tr("port"), this));
    m_port = new QSpinBox(this);
    m_port->setObjectName(QStringLiteral("serverPort"));
    m_port->setRange(0, 65535);
    m_port->setSpecialValueText(tr("any"));
    m_port->setToolTip(tr("0 (any): the system picks a free port"));
    hostRow->addWidget(m_port);
    m_startStop = new QPushButton(tr("Stop"), this);
    m_startStop->setObjectName(QStringLiteral("serverStartStop"));
    hostRow->addWidget(m_startStop);
    form->addRow(tr("Address"), hostRow);
    m_tls = new ServerTlsRow(server, this);
    form->addRow(tr("TLS"), m_tls);

    m_address = new QLabel(this);
    m_address->setObjectName(QStringLiteral("serverAddress"));
    m_address->setTextInteractionFlags(Qt::TextBrowserInteraction);
    m_address->setOpenExternalLinks(false);
    m_connections = new QLabel(this);
    m_connections->setObjectName(QStringLiteral("serverConnections"));
    form->addRow(tr("State"), m_address);
    form->addRow(tr("Connections"), m_connections);

    m_warning = new QLabel(this);
    m_warning->setObjectName(QStringLiteral("serverWarning"));
    m_warning->setWordWrap(true);
    m_warning->setStyleSheet(QStringLiteral("QLabel { background: #fff3cd; color: #7a4f01; border: 1px solid #f0c36d;"
                                            " border-radius: 3px; padding: 4px; }"));
    m_warning->setText(tr("⚠ Not a loopback address: other machines on your network can reach this test server."));
    m_warning->hide();
    form->addRow(m_warning);
    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("serverError"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("QLabel { color: #b71c1c; }"));
    m_error->hide();
    form->addRow(m_error);

    m_preset = new QComboBox(this);
    m_preset->setObjectName(QStringLiteral("serverPreset"));
    m_preset->addItem(tr("Behave like…"), QString());
    QString presetError;
    for (const ServerPreset &p : loadServerPresets(QStringLiteral(":/presets/servers.json"), &presetError)) {
        m_preset->addItem(QStringLiteral("%1 (%2)").arg(p.name, p.policy), p.id);
        m_preset->setItemData(m_preset->count() - 1, p.policy, Qt::UserRole + 1);
        m_preset->setItemData(m_preset->count() - 1, p.source, Qt::ToolTipRole);
    }
    if (!presetError.isEmpty())
        m_preset->setToolTip(presetError);
    else
        m_preset->setToolTip(tr("Server presets from expect-rules.md; each item's tooltip names its source"));
    form->addRow(tr("Preset"), m_preset);

    auto *policyRow = new QHBoxLayout;
    m_policyKind = new QComboBox(this);
    m_policyKind->setObjectName(QStringLiteral("serverPolicy"));
    for (const QList<ServerPolicy::Kind> &group : ServerPolicy::kindGroups()) {
        if (m_policyKind->count() > 0)
            m_policyKind->insertSeparator(m_policyKind->count());
        for (const ServerPolicy::Kind kind : group)
            m_policyKind->addItem(policyKindLabel(kind), int(kind));
    }
    policyRow->addWidget(m_policyKind, 1);
    m_delay = new QSpinBox(this);
    m_delay->setObjectName(QStringLiteral("serverDelay"));
    m_delay->setRange(0, 600000);
    m_delay->setValue(300);
    m_delay->setSuffix(tr(" ms"));
    m_delay->setToolTip(tr("How long the server waits before sending the 100"));
    policyRow->addWidget(m_delay);
    m_finalStatus = new QComboBox(this);
    m_finalStatus->setObjectName(QStringLiteral("serverFinalStatus"));
    m_finalStatus->setEditable(true);
    m_finalStatus->addItems(
        {QStringLiteral("413"), QStringLiteral("401"), QStringLiteral("403"), QStringLiteral("405")});
    m_finalStatus->setValidator(new QIntValidator(200, 599, m_finalStatus));
    m_finalStatus->setToolTip(tr("The final status sent before reading the body (any code 200–599)"));
    policyRow->addWidget(m_finalStatus);
    m_interimStatus = new QSpinBox(this);
    m_interimStatus->setObjectName(QStringLiteral("serverInterimStatus"));
    m_interimStatus->setRange(100, 199);
    m_interimStatus->setValue(103);
    m_interimStatus->setToolTip(tr("The extra interim status sent before the final response (R14, R17)"));
    policyRow->addWidget(m_interimStatus);
    form->addRow(tr("Policy"), policyRow);
    m_policyText = new QLabel(this);
    m_policyText->setObjectName(QStringLiteral("serverPolicyText"));
    m_policyText->setWordWrap(true);
    // Full-contrast text set off by a rule, not pale grey (issue 14). Below the form rather than in
    // it: a box layout gives a wrapped label the height its lines need, a form row does not.
    m_policyText->setStyleSheet(
        QStringLiteral("QLabel { border-left: 3px solid palette(mid); padding-left: 6px; margin-left: 2px; }"));
    m_policyText->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Minimum);
    layout->addLayout(form);
    layout->addWidget(m_policyText);

    auto *logHeader = new QHBoxLayout;
    logHeader->addWidget(new QLabel(tr("<b>Server events</b>"), this), 1);
    auto *clearLog = new QPushButton(tr("Clear"), this);
    clearLog->setFlat(true);
    logHeader->addWidget(clearLog);
    layout->addLayout(logHeader);
    m_log = new QPlainTextEdit(this);
    m_log->setObjectName(QStringLiteral("serverLog"));
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(5000);
    m_log->setLineWrapMode(QPlainTextEdit::NoWrap);
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    mono.setPointSize(std::max(7, mono.pointSize() - 1));
    m_log->setFont(mono);
    layout->addWidget(m_log, 1);

    m_logTimer->setSingleShot(true);
    m_logTimer->setInterval(50);
    connect(m_logTimer, &QTimer::timeout, this, &ServerPanel::flushLog);
    connect(clearLog, &QPushButton::clicked, m_log, &QPlainTextEdit::clear);
    connect(m_startStop, &QPushButton::clicked, this, &ServerPanel::toggle);
    connect(m_tls, &ServerTlsRow::failed, this, [this](const QString &message) {
        m_error->setText(message);
        m_error->show();
        emit serverStateChanged(message);
    });
    connect(m_tls, &ServerTlsRow::message, this, &ServerPanel::serverStateChanged);
    connect(m_host, &QComboBox::currentTextChanged, this, &ServerPanel::onHostChanged);
    connect(m_policyKind, &QComboBox::currentIndexChanged, this, &ServerPanel::onPolicyWidgetsChanged);
    connect(m_delay, &QSpinBox::valueChanged, this, &ServerPanel::onPolicyWidgetsChanged);
    connect(m_finalStatus, &QComboBox::currentTextChanged, this, &ServerPanel::onPolicyWidgetsChanged);
    connect(m_interimStatus, &QSpinBox::valueChanged, this, &ServerPanel::onPolicyWidgetsChanged);
    connect(m_preset, &QComboBox::activated, this,
            [this](int index) { applyPreset(m_preset->itemData(index).toString()); });
    connect(server, &ServerHost::eventRecorded, this, &ServerPanel::onEvent);
    connect(server, &ServerHost::stateChanged, this, &ServerPanel::onServerState);
    connect(server, &ServerHost::connectionCountChanged, this,
            [this](int count) { m_connections->setText(tr("%n open", nullptr, count)); });
    m_connections->setText(tr("%n open", nullptr, 0));
    onPolicyWidgetsChanged();
    onHostChanged();
    updateState();
}

bool ServerPanel::start()
{
    if (m_requestInFlight)
        return false;
    const QString host = m_host->currentText().trimmed();
    const QHostAddress address(host);
    if (address.isNull()) {
        m_error->setText(
            tr("'%1' is not an IP address. Use 127.0.0.1, ::1, 0.0.0.0 or an address of this machine.").arg(host));
        m_error->show();
        emit serverStateChanged(m_error->text());
        updateState();
        return false;
    }
    const quint16 port = quint16(m_port->value());
    m_server->setPolicy(policy());
    // The server's thread answers with stateChanged (onServerState); nothing waits for it here.
    m_server->listen(address, port);
    setRequestInFlight(true);
    return true;
}

void ServerPanel::stop()
{
    if (m_requestInFlight)
        return;
    m_server->close();
    setRequestInFlight(true);
}

void ServerPanel::toggle()
{
    if (m_requestInFlight)
        return; // the server has not answered the last start or stop yet
    if (m_server->isListening())
        stop();
    else
        start();
}

void ServerPanel::setRequestInFlight(bool inFlight)
{
    if (m_requestInFlight == inFlight)
        return;
    m_requestInFlight = inFlight;
    m_startStop->setEnabled(!inFlight);
    emit requestInFlightChanged(inFlight);
}

void ServerPanel::onServerState(const ServerState &state)
{
    setRequestInFlight(false);
    updateState();
    if (state.listening) {
        m_error->hide();
        emit serverStateChanged(tr("Server listening on %1").arg(state.url()));
    } else if (!state.error.isEmpty()) {
        m_error->setText(tr("The server could not start: %1").arg(state.error));
        m_error->show();
        emit serverStateChanged(m_error->text());
    } else {
        emit serverStateChanged(tr("Server stopped"));
    }
}

QString ServerPanel::errorText() const
{
    return m_error->isVisible() || !m_error->isHidden() ? m_error->text() : QString();
}

void ServerPanel::updateState()
{
    const bool listening = m_server->isListening();
    m_startStop->setText(listening ? tr("Stop") : tr("Start"));
    m_address->setText(listening ? QStringLiteral("<a href=\"%1\">%1</a>").arg(m_server->url()) : tr("stopped"));
    m_host->setEnabled(!listening);
    m_port->setEnabled(!listening);
    m_host->lineEdit()->setCursorPosition(0);
}

void ServerPanel::onHostChanged()
{
    // The warning follows the choice, not only the running server: the user sees it before Start.
    m_warning->setVisible(!isLoopback(m_host->currentText().trimmed()));
}

ServerPolicy ServerPanel::policy() const
{
    ServerPolicy p;
    p.kind = ServerPolicy::Kind(m_policyKind->currentData().toInt());
    p.delayMs = m_delay->value();
    p.finalStatus = std::clamp(m_finalStatus->currentText().toInt(), 200, 599);
    p.interimStatus = m_interimStatus->value();
    return p;
}

void ServerPanel::setPolicy(const ServerPolicy &policy)
{
    m_applying = true;
    m_policyKind->setCurrentIndex(m_policyKind->findData(int(policy.kind)));
    if (policy.kind == ServerPolicy::Kind::Delay)
        m_delay->setValue(policy.delayMs);
    if (policy.kind == ServerPolicy::Kind::Final)
        m_finalStatus->setCurrentText(QString::number(policy.finalStatus));
    if (policy.kind == ServerPolicy::Kind::Interim)
        m_interimStatus->setValue(policy.interimStatus);
    m_applying = false;
    onPolicyWidgetsChanged();
}

void ServerPanel::setPolicyKind(ServerPolicy::Kind kind)
{
    ServerPolicy p = policy();
    p.kind = kind;
    setPolicy(p);
}

QString ServerPanel::policyKindLabel(ServerPolicy::Kind kind)
{
    switch (kind) {
    case ServerPolicy::Kind::Continue: return tr("Continue (100 at once)");
    case ServerPolicy::Kind::Delay: return tr("Delay the 100");
    case ServerPolicy::Kind::Ignore: return tr("Ignore (never 100)");
    case ServerPolicy::Kind::Reject: return tr("Reject with 417");
    case ServerPolicy::Kind::Final: return tr("Early final status");
    case ServerPolicy::Kind::Close: return tr("Close without answer");
    case ServerPolicy::Kind::ContinueTwice: return tr("Misbehave: two 100s");
    case ServerPolicy::Kind::ContinueAfterBody: return tr("Misbehave: 100 after the body");
    case ServerPolicy::Kind::Interim: return tr("Misbehave: extra 1xx before the final");
    case ServerPolicy::Kind::RejectAfterBody: return tr("Misbehave: 417 after the body");
    case ServerPolicy::Kind::Garbage: return tr("Misbehave: garbage status line");
    case ServerPolicy::Kind::CloseMidBody: return tr("Misbehave: close in the body");
    case ServerPolicy::Kind::Silent: return tr("Misbehave: never answer");
    }
    return {};
}

void ServerPanel::applyPreset(const QString &id)
{
    const int index = m_preset->findData(id);
    if (id.isEmpty() || index < 0)
        return;
    m_preset->setCurrentIndex(index);
    if (const auto p = ServerPolicy::parse(m_preset->itemData(index, Qt::UserRole + 1).toString()))
        setPolicy(*p);
}

void ServerPanel::onPolicyWidgetsChanged()
{
    if (m_applying)
        return;
    const ServerPolicy p = policy();
    m_delay->setVisible(p.kind == ServerPolicy::Kind::Delay);
    m_finalStatus->setVisible(p.kind == ServerPolicy::Kind::Final);
    m_interimStatus->setVisible(p.kind == ServerPolicy::Kind::Interim);
    m_policyText->setText(tr("%1. Applies to new connections.").arg(p.describe()));
    // A policy changed by hand is no longer the preset's: the box stops naming it.
    if (m_preset->currentIndex() > 0) {
        const auto preset = ServerPolicy::parse(m_preset->currentData(Qt::UserRole + 1).toString());
        if (!preset || preset->toString() != p.toString())
            m_preset->setCurrentIndex(0);
    }
    m_server->setPolicy(p);
    emit policyChanged(p);
}

void ServerPanel::onEvent(const TimelineEvent &event)
{
    m_pendingLog << event;
    if (m_pendingLog.size() > 5000)
        m_pendingLog.removeFirst();
    if (!m_logTimer->isActive())
        m_logTimer->start();
}

void ServerPanel::flushLog()
{
    // One append per batch: a burst of connections must not cost a layout per line.
    if (m_pendingLog.isEmpty())
        return;
    QStringList lines;
    lines.reserve(m_pendingLog.size());
    for (const TimelineEvent &e : std::as_const(m_pendingLog)) {
        // The exchange's origin when the session knows it; until then (an outside client's open
        // connection) the connection's first event, which is that exchange's origin too.
        const std::optional<ExchangeRef> ref = m_resolver ? m_resolver(e.conn) : std::nullopt;
        const qint64 origin =
            ref ? ref->originNs : *m_connectionOrigins.insert(e.conn, m_connectionOrigins.value(e.conn, e.tNs));
        const QString where =
            ref ? tr("exchange %1, connection %2").arg(ref->number).arg(e.conn) : tr("connection %1").arg(e.conn);
        lines << QStringLiteral("[%1] %2").arg(where, eventToTextLine(e, origin).trimmed());
        if (e.kind == EventKind::Closed)
            m_connectionOrigins.remove(e.conn);
    }
    m_pendingLog.clear();
    // A Closed that fell off the batch's cap must not leave its connection here for ever.
    if (m_connectionOrigins.size() > 4096)
        m_connectionOrigins.clear();
    m_log->appendPlainText(lines.join(QLatin1Char('\n')));
}

QString ServerPanel::logText() const
{
    return m_log->toPlainText();
}

void ServerPanel::showLoadedLog(const QList<LoggedEvent> &events)
{
    // The log of an opened session: what its server saw, in time order, under the names the list
    // uses (exchange numbers, the connection ids the file gave). Lines of the live server follow.
    m_pendingLog.clear();
    m_connectionOrigins.clear();
    m_log->clear();
    QStringList lines;
    lines.reserve(events.size());
    for (const LoggedEvent &l : events) {
        const QString where = l.exchangeNumber
                                  ? tr("exchange %1, connection %2").arg(l.exchangeNumber).arg(l.connection)
                                  : tr("connection %1").arg(l.connection);
        lines << QStringLiteral("[%1] %2").arg(where, eventToTextLine(l.event, l.originNs).trimmed());
    }
    if (!lines.isEmpty())
        m_log->appendPlainText(lines.join(QLatin1Char('\n')));
}

void ServerPanel::saveSettings(QSettings &s) const
{
    s.setValue(QStringLiteral("server/host"), m_host->currentText());
    s.setValue(QStringLiteral("server/port"), m_port->value());
    s.setValue(QStringLiteral("server/policy"), policy().toString());
    s.setValue(QStringLiteral("server/delayMs"), m_delay->value());
    s.setValue(QStringLiteral("server/finalStatus"), m_finalStatus->currentText());
    m_tls->saveSettings(s);
}

void ServerPanel::restoreSettings(QSettings &s)
{
    // Only loopback is restored silently: another interface must be chosen again, explicitly.
    const QString host = s.value(QStringLiteral("server/host"), QStringLiteral("127.0.0.1")).toString();
    m_host->setCurrentText(isLoopback(host) ? host : QStringLiteral("127.0.0.1"));
    m_port->setValue(s.value(QStringLiteral("server/port"), 0).toInt());
    m_delay->setValue(s.value(QStringLiteral("server/delayMs"), 300).toInt());
    m_finalStatus->setCurrentText(s.value(QStringLiteral("server/finalStatus"), QStringLiteral("413")).toString());
    m_tls->restoreSettings(s);
    if (const auto p =
            ServerPolicy::parse(s.value(QStringLiteral("server/policy"), QStringLiteral("continue")).toString()))
        setPolicy(*p);
}

} // namespace expectlab
