#include "partythread.h"

#include "platformlatency.h"

#include <QCoreApplication>
#include <QThread>

#include <atomic>

namespace expectlab {

namespace {
std::atomic<void (*)()> s_exitHook{nullptr};

// Lives in the thread; its signals reach the owner queued, and Qt drops them safely should the
// owner be gone by then.
class ThreadContext : public QObject
{
    Q_OBJECT
signals:
    void realtimeChanged(bool on, bool ok, const QString &error);
};

// After its event loop: the objects adopted into it are deleted in it, then the exit hook runs,
// all before QThread says it finished (and the owner's wait() returns).
class PartyWorker : public QThread
{
    Q_OBJECT
signals:
    void stopping();

protected:
    void run() override
    {
        exec();
        emit stopping();
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
        if (void (*hook)() = s_exitHook.load())
            hook();
    }
};
} // namespace

void PartyThread::setExitHook(void (*hook)())
{
    s_exitHook.store(hook);
}

PartyThread::PartyThread(const QString &name, QObject *parent)
    : QObject(parent)
    , m_thread(new PartyWorker)
    , m_context(new ThreadContext)
{
    m_thread->setObjectName(name);
    m_context->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_context, &QObject::deleteLater);
    connect(static_cast<ThreadContext *>(m_context), &ThreadContext::realtimeChanged, this,
            &PartyThread::realtimeChanged);
    m_thread->start();
}

PartyThread::~PartyThread()
{
    // The thread's last turn deletes what was given deleteLater() (QThread does so when it finishes).
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
}

void PartyThread::adopt(QObject *object)
{
    object->moveToThread(m_thread);
    // In the thread, once its loop is over (a pending deleteLater of the owner's goes with it).
    connect(static_cast<PartyWorker *>(m_thread), &PartyWorker::stopping, object, &QObject::deleteLater,
            Qt::DirectConnection);
}

void PartyThread::setRealtime(bool on)
{
    post([context = static_cast<ThreadContext *>(m_context), on] {
        QString error;
        const bool ok = platform::setThreadRealtime(on, &error);
        emit context->realtimeChanged(on, ok, error); // back on the owner's thread, as values
    });
}

} // namespace expectlab

#include "partythread.moc"
