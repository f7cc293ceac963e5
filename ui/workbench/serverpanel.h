#pragma once

#include "serverpolicy.h"
#include "timelineevent.h"

#include <QHash>
#include <QWidget>

#include <functional>
#include <optional>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSettings;
class QSpinBox;
class QTimer;

namespace expectlab {

class ServerTlsRow;

class ServerHost;
struct ServerState;

// The local test server's controls: address (loopback unless the user explicitly picks another
// interface, then a warning stays visible), start/stop, the policy with its parameters, server
// presets, the live connection count and the server's own event log.
class ServerPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ServerPanel(ServerHost *server, QWidget *parent = nullptr);

    // Asks the server to listen on the chosen host and port; false, with the reason shown in the panel,
    // when the address is not one. The outcome follows as serverStateChanged.
    bool start();
    void stop();
    // Start when stopped, stop when listening; nothing while the last request is unanswered (the
    // panel's button and the Server menu both come here).
    void toggle();
    bool isRequestInFlight() const { return m_requestInFlight; }
    void setPolicy(const ServerPolicy &policy);
    // Chooses a kind and keeps the delay and statuses the user set: the Server menu's items.
    void setPolicyKind(ServerPolicy::Kind kind);
    // How the panel and the Server menu name a kind (ServerPolicy::kinds() gives the order).
    static QString policyKindLabel(ServerPolicy::Kind kind);
    ServerPolicy policy() const;
    void applyPreset(const QString &id);
    QString errorText() const;

    // The exchange a server connection belongs to and that exchange's time origin: the log then
    // gives every event the figure the exchange's own panes give it (one origin per exchange).
    struct ExchangeRef
    {
        int number = 0;
        qint64 originNs = 0;
    };
    using ExchangeResolver = std::function<std::optional<ExchangeRef>(int conn)>;
    void setExchangeResolver(ExchangeResolver resolver) { m_resolver = std::move(resolver); }
    // Replaces the event log with an opened session's server events.
    struct LoggedEvent
    {
        TimelineEvent event;
        int exchangeNumber = 0; // 0: not matched to an exchange
        int connection = 0;     // as the session file names it
        qint64 originNs = 0;    // times are written relative to this
    };
    void showLoadedLog(const QList<LoggedEvent> &events);
    QString logText() const;

    ServerTlsRow *tlsRow() const { return m_tls; }

    void saveSettings(QSettings &settings) const;
    void restoreSettings(QSettings &settings);

signals:
    // The server started, stopped or failed to start; message is for the status bar.
    void serverStateChanged(const QString &message);
    void policyChanged(const expectlab::ServerPolicy &policy);
    // A start or stop went to the server's thread (true) or was answered (false).
    void requestInFlightChanged(bool inFlight);

private:
    void setRequestInFlight(bool inFlight);
    void onPolicyWidgetsChanged();
    void onHostChanged();
    void onEvent(const TimelineEvent &event);
    void flushLog();
    void updateState();
    void onServerState(const ServerState &state);

    ServerHost *m_server;
    QComboBox *m_host;
    QSpinBox *m_port;
    QPushButton *m_startStop;
    ServerTlsRow *m_tls;
    bool m_requestInFlight = false;
    QLabel *m_address;
    QLabel *m_warning;
    QLabel *m_error;
    QComboBox *m_preset;
    QComboBox *m_policyKind;
    QSpinBox *m_delay;
    QComboBox *m_finalStatus;
    QSpinBox *m_interimStatus;
    QLabel *m_policyText;
    QLabel *m_connections;
    QPlainTextEdit *m_log;
    // Formatted at the batch's flush, when the session has matched the connection to its exchange.
    QList<TimelineEvent> m_pendingLog;
    QTimer *m_logTimer;
    ExchangeResolver m_resolver;
    QHash<int, qint64> m_connectionOrigins; // first event of each open connection not yet matched
    bool m_applying = false;
};

} // namespace expectlab
