#include "autosave.h"

#include "sessionfile.h"
#include "sessionrecorder.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QPointer>
#include <QStandardPaths>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

namespace expectlab {

namespace {
const QString kPrefix = QStringLiteral("autosave-");

QString lockPathFor(const QString &sessionPath)
{
    QString base = sessionPath;
    base.chop(qsizetype(qstrlen(kSessionSuffix)));
    return base + QStringLiteral(".lock");
}
} // namespace

Autosave::Autosave(SessionRecorder *recorder, QObject *parent)
    : Autosave([recorder = QPointer<SessionRecorder>(recorder)] { return recorder ? recorder->session() : Session(); },
               parent)
{
    connect(recorder, &SessionRecorder::changed, this, &Autosave::markChanged);
}

Autosave::Autosave(std::function<Session()> provider, QObject *parent)
    : QObject(parent)
    , m_provider(std::move(provider))
    , m_timer(new QTimer(this))
{
    m_timer->setSingleShot(true);
    m_timer->setInterval(kDefaultIntervalMs);
    connect(m_timer, &QTimer::timeout, this, &Autosave::saveInBackground);
    connect(&m_watcher, &QFutureWatcher<QString>::finished, this, &Autosave::takeBackgroundResult);
}

Autosave::~Autosave()
{
    // A normal end: nothing to restore next time. A crash never gets here and leaves the file. A
    // write in flight finishes first, or it would put the file back.
    m_writing.waitForFinished();
    if (m_lock) {
        QFile::remove(m_path);
        m_lock->unlock();
    }
}

QString Autosave::directory()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/autosave");
}

QStringList Autosave::leftovers()
{
    const QDir dir(directory());
    QFileInfoList files = dir.entryInfoList({kPrefix + QLatin1Char('*') + QLatin1String(kSessionSuffix)}, QDir::Files);
    std::sort(files.begin(), files.end(),
              [](const QFileInfo &a, const QFileInfo &b) { return a.lastModified() > b.lastModified(); });
    QStringList out;
    for (const QFileInfo &info : files) {
        QLockFile lock(lockPathFor(info.absoluteFilePath()));
        lock.setStaleLockTime(0); // only a dead owner makes a lock stale, not its age
        if (lock.tryLock(0)) {
            lock.unlock();
            out << info.absoluteFilePath();
        }
    }
    return out;
}

std::optional<Session> Autosave::restore(const QString &path, QString *error)
{
    return loadSession(path, error);
}

void Autosave::discard(const QString &path)
{
    QLockFile lock(lockPathFor(path));
    lock.setStaleLockTime(0);
    if (!lock.tryLock(0))
        return; // a running instance owns it
    QFile::remove(path);
    lock.unlock();
}

void Autosave::setIntervalMs(int ms)
{
    m_timer->setInterval(qMax(0, ms));
}

bool Autosave::start(QString *error)
{
    if (m_lock)
        return true;
    if (!QDir().mkpath(directory())) {
        if (error)
            *error = tr("cannot create the autosave folder %1").arg(directory());
        return false;
    }
    // The pid and the start time make the name unique even when a pid is reused.
    m_path = QStringLiteral("%1/%2%3-%4%5")
                 .arg(directory(), kPrefix)
                 .arg(QCoreApplication::applicationPid())
                 .arg(QDateTime::currentMSecsSinceEpoch())
                 .arg(QLatin1String(kSessionSuffix));
    auto lock = std::make_unique<QLockFile>(lockPathFor(m_path));
    lock->setStaleLockTime(0);
    if (!lock->tryLock(0)) {
        if (error)
            *error = tr("cannot lock %1").arg(lockPathFor(m_path));
        return false;
    }
    m_lock = std::move(lock);
    if (m_dirty)
        m_timer->start();
    return true;
}

void Autosave::markChanged()
{
    m_dirty = true;
    if (m_lock && !m_timer->isActive())
        m_timer->start();
}

std::optional<Session> Autosave::takeSnapshot()
{
    if (!m_lock || !m_dirty)
        return std::nullopt;
    Session session = m_provider();
    m_dirty = false;
    if (session.isEmpty() && !m_wroteFile)
        return std::nullopt; // nothing worth restoring yet
    return session;
}

void Autosave::saveInBackground()
{
    if (m_writing.isRunning()) {
        m_timer->start(); // one write at a time: this change goes in the next one
        return;
    }
    // The last write may have ended with its finished signal still queued: take its result now,
    // so that the signal, when it comes, finds nothing pending for the write started below.
    takeBackgroundResult();
    std::optional<Session> session = takeSnapshot();
    if (!session)
        return;
    m_writing = QtConcurrent::run([session = std::move(*session), path = m_path] {
        QString why;
        return saveSession(session, path, &why) ? QString() : why;
    });
    m_resultPending = true;
    m_watcher.setFuture(m_writing);
}

void Autosave::takeBackgroundResult()
{
    // A finished signal of an earlier write arrives while a later one runs: not this one's result.
    if (!m_resultPending || !m_writing.isFinished())
        return;
    m_resultPending = false;
    const QString why = m_writing.result();
    handleResult(why, nullptr);
}

bool Autosave::handleResult(const QString &why, QString *error)
{
    if (!why.isEmpty()) {
        m_dirty = true; // try again on the next change
        if (error)
            *error = why;
        emit saveFailed(tr("autosave failed: %1").arg(why));
        return false;
    }
    m_wroteFile = true;
    emit saved(m_path);
    return true;
}

bool Autosave::saveNow(QString *error)
{
    if (!m_lock)
        return false;
    m_writing.waitForFinished();
    takeBackgroundResult();
    const std::optional<Session> session = takeSnapshot();
    if (!session)
        return true;
    QString why;
    saveSession(*session, m_path, &why);
    return handleResult(why, error);
}

} // namespace expectlab
