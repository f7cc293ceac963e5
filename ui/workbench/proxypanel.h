#pragma once

#include "proxyconfig.h"

#include <QWidget>

class QButtonGroup;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QRadioButton;
class QSettings;
class QSpinBox;

namespace expectlab {

class ProxyHost;
struct ProxyState;

// The recording proxy's controls (issue 16), beside the Server panel: where it listens, whether it
// is a reverse proxy to an upstream URL (the local server by default) or a forward proxy, the mode
// (each item's tooltip names the intermediary it reproduces and its source), intermediary presets,
// start/stop and its state. A change applies to connections accepted afterwards.
class ProxyPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ProxyPanel(ProxyHost *proxy, QWidget *parent = nullptr);

    // Asks the proxy to listen; false, with the reason shown in the panel, when the settings are not
    // usable (no upstream URL, a bad address). The outcome follows as proxyStateChanged.
    bool start();
    void stop();
    void toggle();
    // The configuration the panel shows (for the composer's "through the local proxy").
    ProxyConfig config() const;
    // The upstream a reverse proxy goes to when the user has not chosen one: the local server.
    void setDefaultUpstream(const QUrl &url, const ClientTlsSettings &trust);
    // Reverse proxy to url from now on (the composer's switch sends there); applied at once.
    void useUpstream(const QUrl &url, const ClientTlsSettings &trust);
    void setMode(ProxyMode mode);
    void applyPreset(const QString &id);
    QString errorText() const;

    void saveSettings(QSettings &settings) const;
    void restoreSettings(QSettings &settings);

signals:
    // The proxy started, stopped or failed to start; message is for the status bar.
    void proxyStateChanged(const QString &message);

private:
    void onStateChanged(const ProxyState &state);
    void onModeChanged();
    void onPresetChosen(int index);
    void applyConfig();
    void showError(const QString &message);
    void updateRoleWidgets();

    ProxyHost *m_proxy;
    QComboBox *m_host;
    QSpinBox *m_port;
    QPushButton *m_startStop;
    QRadioButton *m_reverse;
    QRadioButton *m_forward;
    QLineEdit *m_upstream;
    QPushButton *m_localServer;
    QCheckBox *m_allowRemote;
    QComboBox *m_preset;
    QComboBox *m_mode;
    QLabel *m_modeText;
    QLabel *m_state;
    QLabel *m_usage;
    QLabel *m_error;
    QUrl m_localServerUrl;
    ClientTlsSettings m_localTrust;
    bool m_requestInFlight = false;
};

} // namespace expectlab
