#pragma once

#include <QMetaObject>
#include <QObject>

#include <utility>

class QThread;

namespace expectlab {

// A network thread for one party (the workbench's server, its client, a probe run, a matrix run):
// each moves its bytes and takes its timestamps without waiting for another party or a repaint.
// Talk to what lives here only with queued calls (post) and queued signals, carrying values: never
// a blocking call, never a read across threads.
class PartyThread : public QObject
{
    Q_OBJECT
public:
    // Starts the thread at once; name shows in debuggers and `top -H`.
    explicit PartyThread(const QString &name, QObject *parent = nullptr);
    // Quits and waits. Objects moved into the thread and given deleteLater() before are deleted in it.
    ~PartyThread() override;

    QThread *worker() const { return m_thread; }
    // Moves object into the thread; its owner deletes it with deleteLater() (or adopt() does).
    void adopt(QObject *object);
    // Runs f in the thread, later; never waits.
    template <typename F> void post(F &&f)
    {
        QMetaObject::invokeMethod(m_context, std::forward<F>(f), Qt::QueuedConnection);
    }
    // Asks for real-time scheduling of the thread (or back to normal); realtimeChanged answers.
    void setRealtime(bool on);

    // Runs in every party thread as its last act, after the objects in it are deleted and before
    // the owner's wait() returns. The TLS engine frees the thread's OpenSSL state with it: Qt 6.4's
    // wait() returns before a thread's TLS destructors have run, so a process that exits right
    // after could run OpenSSL's cleanup first and lose that state (LeakSanitizer saw it on CI).
    static void setExitHook(void (*hook)());

signals:
    void realtimeChanged(bool on, bool ok, const QString &error);

private:
    QThread *m_thread;
    QObject *m_context; // lives in m_thread: the target of post()
};

} // namespace expectlab
