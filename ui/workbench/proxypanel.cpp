#include "proxypanel.h"

#include "clientpreset.h"
#include "proxyhost.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QSpinBox>
#include <QVBoxLayout>

namespace expectlab {

namespace {
QString modeTooltip(const ProxyModeInfo &m)
{
    QString text = QStringLiteral("<b>%1</b>: %2 (%3)").arg(m.name, m.summary.toHtmlEscaped(), m.rule);
    if (!m.reproduces.isEmpty())
        text += QCoreApplication::translate("ProxyPanel", "<br>Behaves like %1.").arg(m.reproduces.toHtmlEscaped());
    text += QCoreApplication::translate("ProxyPanel", "<br>Source: %1").arg(m.source.toHtmlEscaped());
    return text;
}
} // namespace

ProxyPanel::ProxyPanel(ProxyHost *proxy, QWidget *parent)
    : QWidget(parent)
    , m_proxy(proxy)
{
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

    auto *hostRow = new QHBoxLayout;
    m_host = new QComboBox(this);
    m_host->setObjectName(QStringLiteral("proxyHost"));
    m_host->setEditable(true);
    m_host->addItems({QStringLiteral("127.0.0.1"), QStringLiteral("::1")});
    m_host->setToolTip(tr("Address the proxy listens on: loopback, so that nothing but this machine can use it"));
    hostRow->addWidget(m_host, 1);
    hostRow->addWidget(new QLabel(tr("port"), this));
    m_port = new QSpinBox(this);
    m_port->setObjectName(QStringLiteral("proxyPort"));
    m_port->setRange(0, 65535);
    m_port->setSpecialValueText(tr("any"));
    m_port->setToolTip(tr("0 (any): the system picks a free port"));
    hostRow->addWidget(m_port);
    m_startStop = new QPushButton(tr("Start"), this);
    m_startStop->setObjectName(QStringLiteral("proxyStartStop"));
    hostRow->addWidget(m_startStop);
    form->addRow(tr("Listen"), hostRow);

    m_state = new QLabel(tr("Stopped"), this);
    m_state->setObjectName(QStringLiteral("proxyState"));
    m_state->setWordWrap(true);
    m_state->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_reverse = new QRadioButton(tr("Reverse proxy to"), this);
    m_reverse->setObjectName(QStringLiteral("proxyReverse"));
    m_reverse->setToolTip(tr("Every request goes to this origin, its target kept (expectlab proxy --upstream URL)"));
    m_forward = new QRadioButton(tr("Forward proxy (HTTP_PROXY, curl -x)"), this);
    m_forward->setObjectName(QStringLiteral("proxyForward"));
    m_forward->setToolTip(tr("Absolute-form requests go where they say; CONNECT opens a recorded tunnel "
                             "(expectlab proxy --forward)"));
    auto *roles = new QButtonGroup(this);
    roles->addButton(m_reverse);
    roles->addButton(m_forward);
    m_reverse->setChecked(true);
    auto *upstreamRow = new QHBoxLayout;
    m_upstream = new QLineEdit(this);
    m_upstream->setObjectName(QStringLiteral("proxyUpstream"));
    m_upstream->setPlaceholderText(tr("http://127.0.0.1:8080/ (the local server when empty)"));
    m_upstream->setClearButtonEnabled(true);
    upstreamRow->addWidget(m_upstream, 1);
    m_localServer = new QPushButton(tr("Local server"), this);
    m_localServer->setObjectName(QStringLiteral("proxyLocalServer"));
    m_localServer->setToolTip(tr("Forward to the workbench's own test server"));
    upstreamRow->addWidget(m_localServer);
    form->addRow(m_reverse);
    form->addRow(upstreamRow);
    form->addRow(m_forward);
    m_allowRemote = new QCheckBox(tr("Also to targets that are not loopback"), this);
    m_allowRemote->setObjectName(QStringLiteral("proxyAllowRemote"));
    m_allowRemote->setToolTip(tr("Off: the forward proxy refuses other machines with 403, so that it is never an "
                                 "open relay (--allow-remote)"));
    form->addRow(m_allowRemote);

    m_preset = new QComboBox(this);
    m_preset->setObjectName(QStringLiteral("proxyPreset"));
    m_preset->addItem(tr("Behave like…"), QString());
    QString presetError;
    for (const ProxyPreset &p : loadProxyPresets(QStringLiteral(":/presets/proxies.json"), &presetError)) {
        m_preset->addItem(QStringLiteral("%1 (%2)").arg(p.name, p.mode), p.id);
        m_preset->setItemData(m_preset->count() - 1, p.mode, Qt::UserRole + 1);
        m_preset->setItemData(m_preset->count() - 1, p.source, Qt::ToolTipRole);
    }
    m_preset->setToolTip(presetError.isEmpty()
                             ? tr("Intermediaries from expect-rules.md; each item's tooltip names its source")
                             : presetError);
    form->addRow(tr("Preset"), m_preset);

    m_mode = new QComboBox(this);
    m_mode->setObjectName(QStringLiteral("proxyMode"));
    for (const ProxyModeInfo &m : proxyModes()) {
        m_mode->addItem(m.reproduces.isEmpty() ? m.name : QStringLiteral("%1 (%2)").arg(m.name, m.reproduces),
                        int(m.mode));
        m_mode->setItemData(m_mode->count() - 1, modeTooltip(m), Qt::ToolTipRole);
    }
    form->addRow(tr("Mode"), m_mode);
    m_modeText = new QLabel(this);
    m_modeText->setObjectName(QStringLiteral("proxyModeText"));
    m_modeText->setWordWrap(true);
    m_usage = new QLabel(this);
    m_usage->setObjectName(QStringLiteral("proxyUsage"));
    m_usage->setWordWrap(true);
    m_usage->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("proxyError"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("QLabel { color: #b71c1c; }"));
    m_error->hide();
    // The texts that wrap go under the form, at the panel's full width: a form row gives a wrapped
    // label the height of one line when the dock scrolls.
    layout->addLayout(form);
    for (QLabel *text : {m_modeText, m_state, m_usage, m_error})
        layout->addWidget(text);
    layout->addStretch(1);

    connect(m_startStop, &QPushButton::clicked, this, &ProxyPanel::toggle);
    connect(m_proxy, &ProxyHost::stateChanged, this, &ProxyPanel::onStateChanged);
    connect(m_mode, &QComboBox::currentIndexChanged, this, &ProxyPanel::onModeChanged);
    connect(m_preset, &QComboBox::activated, this, &ProxyPanel::onPresetChosen);
    connect(m_reverse, &QRadioButton::toggled, this, [this] {
        updateRoleWidgets();
        applyConfig();
    });
    connect(m_allowRemote, &QCheckBox::toggled, this, &ProxyPanel::applyConfig);
    connect(m_upstream, &QLineEdit::editingFinished, this, &ProxyPanel::applyConfig);
    connect(m_localServer, &QPushButton::clicked, this, [this] {
        m_upstream->clear();
        applyConfig();
    });
    onModeChanged();
    updateRoleWidgets();
}

void ProxyPanel::setDefaultUpstream(const QUrl &url, const ClientTlsSettings &trust)
{
    m_localServerUrl = url;
    m_localTrust = trust;
    if (m_upstream->text().trimmed().isEmpty())
        applyConfig();
}

void ProxyPanel::useUpstream(const QUrl &url, const ClientTlsSettings &trust)
{
    m_reverse->setChecked(true);
    m_upstream->setText(url.toString());
    m_localTrust = trust;
    applyConfig();
}

ProxyConfig ProxyPanel::config() const
{
    ProxyConfig c;
    c.mode = ProxyMode(m_mode->currentData().toInt());
    c.forward = m_forward->isChecked();
    c.allowRemote = c.forward && m_allowRemote->isChecked();
    if (!c.forward) {
        const QString text = m_upstream->text().trimmed();
        c.upstream = text.isEmpty() ? m_localServerUrl : QUrl(text, QUrl::StrictMode);
        // The local server's certificate is trusted as the composer trusts it; another upstream
        // over https:// by the system store.
        if (text.isEmpty() || c.upstream.adjusted(QUrl::RemovePath) == m_localServerUrl.adjusted(QUrl::RemovePath))
            c.upstreamTls = m_localTrust;
    }
    return c;
}

void ProxyPanel::applyConfig()
{
    m_error->hide();
    const ProxyConfig c = config();
    if (!c.forward &&
        (!c.upstream.isValid() || c.upstream.host().isEmpty() ||
         (c.upstream.scheme() != QLatin1String("http") && c.upstream.scheme() != QLatin1String("https")))) {
        if (!m_upstream->text().trimmed().isEmpty())
            showError(tr("'%1' is not an http:// or https:// URL with a host").arg(m_upstream->text().trimmed()));
        return;
    }
    m_proxy->setConfig(c);
    onStateChanged(m_proxy->state());
}

bool ProxyPanel::start()
{
    m_error->hide();
    QHostAddress address;
    if (!address.setAddress(m_host->currentText().trimmed())) {
        showError(tr("'%1' is not an IP address: give one such as 127.0.0.1 or ::1").arg(m_host->currentText()));
        return false;
    }
    const ProxyConfig c = config();
    if (!c.forward && (!c.upstream.isValid() || c.upstream.host().isEmpty())) {
        showError(tr("No upstream: type its URL, or start the local server"));
        return false;
    }
    m_proxy->setConfig(c);
    m_requestInFlight = true;
    m_startStop->setEnabled(false);
    m_proxy->listen(address, quint16(m_port->value()));
    return true;
}

void ProxyPanel::stop()
{
    m_requestInFlight = true;
    m_startStop->setEnabled(false);
    m_proxy->close();
}

void ProxyPanel::toggle()
{
    if (m_requestInFlight)
        return;
    if (m_proxy->isListening())
        stop();
    else
        start();
}

void ProxyPanel::onStateChanged(const ProxyState &state)
{
    m_requestInFlight = false;
    m_startStop->setEnabled(true);
    m_startStop->setText(state.listening ? tr("Stop") : tr("Start"));
    if (!state.error.isEmpty() && !state.listening)
        showError(state.error);
    const ProxyConfig &c = state.config;
    const QString where = c.forward ? tr("forward proxy") : tr("to %1").arg(c.upstream.toString());
    m_state->setText(state.listening
                         ? tr("<b>Listening</b> on %1, %2; %n open connection(s)", nullptr, state.connections)
                               .arg(state.url(), where)
                         : tr("<b>Stopped</b>"));
    if (state.listening) {
        m_usage->setText(
            c.forward ? tr("Use it: curl -x %1 URL, or HTTP_PROXY=%1").arg(state.url())
                      : tr("Use it: send to %1 (the composer's “through the local proxy” does)").arg(state.url()));
    } else {
        m_usage->setText(tr("Start it, or tick “through the local proxy” in the Client panel."));
    }
    emit proxyStateChanged(state.listening ? tr("Proxy listening on %1").arg(state.url())
                                           : (state.error.isEmpty() ? tr("Proxy stopped") : state.error));
}

void ProxyPanel::onModeChanged()
{
    const ProxyModeInfo &m = proxyModeInfo(ProxyMode(m_mode->currentData().toInt()));
    m_mode->setToolTip(modeTooltip(m));
    // The summary is a clause ("sends its own 100 ..."), also for the command line's help: a sentence here.
    const QString summary = m.summary.left(1).toUpper() + m.summary.mid(1);
    m_modeText->setText(m.reproduces.isEmpty() ? tr("%1 (%2).").arg(summary, m.rule)
                                               : tr("%1 (%2). Like %3.").arg(summary, m.rule, m.reproduces));
    applyConfig();
}

void ProxyPanel::onPresetChosen(int index)
{
    const QString id = m_preset->itemData(index).toString();
    if (!id.isEmpty())
        applyPreset(id);
}

void ProxyPanel::applyPreset(const QString &id)
{
    const int index = m_preset->findData(id);
    if (index < 0)
        return;
    m_preset->setCurrentIndex(index);
    if (const auto mode = parseProxyMode(m_preset->itemData(index, Qt::UserRole + 1).toString()))
        setMode(*mode);
}

void ProxyPanel::setMode(ProxyMode mode)
{
    m_mode->setCurrentIndex(m_mode->findData(int(mode)));
}

void ProxyPanel::showError(const QString &message)
{
    m_error->setText(message);
    m_error->show();
    emit proxyStateChanged(message);
}

QString ProxyPanel::errorText() const
{
    return m_error->isHidden() ? QString() : m_error->text();
}

void ProxyPanel::updateRoleWidgets()
{
    const bool reverse = m_reverse->isChecked();
    m_upstream->setEnabled(reverse);
    m_localServer->setEnabled(reverse);
    m_allowRemote->setEnabled(!reverse);
}

void ProxyPanel::saveSettings(QSettings &settings) const
{
    settings.beginGroup(QStringLiteral("proxy"));
    settings.setValue(QStringLiteral("mode"), proxyModeName(ProxyMode(m_mode->currentData().toInt())));
    settings.setValue(QStringLiteral("forward"), m_forward->isChecked());
    settings.setValue(QStringLiteral("upstream"), m_upstream->text().trimmed());
    settings.setValue(QStringLiteral("allowRemote"), m_allowRemote->isChecked());
    settings.setValue(QStringLiteral("host"), m_host->currentText());
    settings.setValue(QStringLiteral("port"), m_port->value());
    settings.endGroup();
}

void ProxyPanel::restoreSettings(QSettings &settings)
{
    settings.beginGroup(QStringLiteral("proxy"));
    if (const auto mode = parseProxyMode(settings.value(QStringLiteral("mode")).toString()))
        setMode(*mode);
    (settings.value(QStringLiteral("forward")).toBool() ? m_forward : m_reverse)->setChecked(true);
    m_upstream->setText(settings.value(QStringLiteral("upstream")).toString());
    m_allowRemote->setChecked(settings.value(QStringLiteral("allowRemote")).toBool());
    m_host->setCurrentText(settings.value(QStringLiteral("host"), QStringLiteral("127.0.0.1")).toString());
    m_port->setValue(settings.value(QStringLiteral("port"), 0).toInt());
    settings.endGroup();
    updateRoleWidgets();
    applyConfig();
}

} // namespace expectlab
