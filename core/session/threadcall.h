#pragma once

#include <QMetaObject>
#include <QObject>
#include <QThread>

#include <utility>

namespace expectlab {

// Runs f in context's thread and waits for it: the GUI drives objects that live on the network
// thread (TestServer) this way. Direct when context lives in the calling thread.
template <typename F> void callIn(QObject *context, F &&f)
{
    if (context->thread() == QThread::currentThread() || !context->thread()->isRunning()) {
        f();
        return;
    }
    QMetaObject::invokeMethod(context, std::forward<F>(f), Qt::BlockingQueuedConnection);
}

} // namespace expectlab
