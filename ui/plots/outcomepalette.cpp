#include "outcomepalette.h"

#include <QGuiApplication>
#include <QHash>
#include <QPainter>
#include <QPainterPath>

namespace expectlab {

QColor meaningColor(Meaning meaning)
{
    switch (meaning) {
    case Meaning::Continue: return QColor(0x1e, 0x6f, 0xd9); // 100: blue
    case Meaning::Reject: return QColor(0xf0, 0x8c, 0x00);   // 417: orange
    case Meaning::Success: return QColor(0x2e, 0x9d, 0x44);  // 2xx: green
    case Meaning::Failure: return QColor(0xd3, 0x2f, 0x2f);  // other 4xx/5xx: red
    case Meaning::Muted: return QColor(0x90, 0x90, 0x90);    // timeout, close: grey
    case Meaning::Body: return QColor(0x7b, 0x52, 0xc7);     // body bytes: violet
    case Meaning::Tls: return QColor(0x00, 0x83, 0x8f);      // TLS handshake: teal
    case Meaning::Proxy: return QColor(0xc2, 0x18, 0x5b);    // the proxy's own decisions: magenta
    case Meaning::Neutral: break;
    }
    return QColor(0x37, 0x47, 0x4f);
}

QColor outcomeColor(Outcome outcome)
{
    // Okabe & Ito, "Color Universal Design" (2008); the yellow is darkened a little to read on white.
    switch (outcome) {
    case Outcome::Running: return QColor(0x56, 0xb4, 0xe9);    // sky blue
    case Outcome::Continued: return QColor(0x00, 0x9e, 0x73);  // bluish green
    case Outcome::Success: return QColor(0x00, 0x72, 0xb2);    // blue
    case Outcome::WaitedOut: return QColor(0xd4, 0xc1, 0x00);  // yellow
    case Outcome::Retried: return QColor(0xe6, 0x9f, 0x00);    // orange
    case Outcome::Rejected: return QColor(0xd5, 0x5e, 0x00);   // vermillion
    case Outcome::EarlyFinal: return QColor(0xcc, 0x79, 0xa7); // reddish purple
    case Outcome::Failed: return QColor(0x00, 0x00, 0x00);     // black
    case Outcome::Cancelled: return QColor(0x99, 0x99, 0x99);  // grey
    }
    return Qt::black;
}

OutcomeShape outcomeShape(Outcome outcome)
{
    switch (outcome) {
    case Outcome::Running: return OutcomeShape::Ring;
    case Outcome::Continued: return OutcomeShape::Disc;
    case Outcome::Success: return OutcomeShape::Square;
    case Outcome::WaitedOut: return OutcomeShape::Diamond;
    case Outcome::Retried: return OutcomeShape::Triangle;
    case Outcome::Rejected: return OutcomeShape::TriangleDown;
    case Outcome::EarlyFinal: return OutcomeShape::Star;
    case Outcome::Failed: return OutcomeShape::Cross;
    case Outcome::Cancelled: return OutcomeShape::Plus;
    }
    return OutcomeShape::Disc;
}

namespace {
QPainterPath shapePath(OutcomeShape shape, const QRectF &r)
{
    QPainterPath path;
    const QPointF c = r.center();
    const double h = r.width() / 2;
    switch (shape) {
    case OutcomeShape::Disc:
    case OutcomeShape::Ring: path.addEllipse(r); break;
    case OutcomeShape::Square: path.addRect(r.adjusted(1, 1, -1, -1)); break;
    case OutcomeShape::Diamond:
        path.moveTo(c.x(), r.top());
        path.lineTo(r.right(), c.y());
        path.lineTo(c.x(), r.bottom());
        path.lineTo(r.left(), c.y());
        path.closeSubpath();
        break;
    case OutcomeShape::Triangle:
        path.moveTo(c.x(), r.top());
        path.lineTo(r.right(), r.bottom());
        path.lineTo(r.left(), r.bottom());
        path.closeSubpath();
        break;
    case OutcomeShape::TriangleDown:
        path.moveTo(r.left(), r.top());
        path.lineTo(r.right(), r.top());
        path.lineTo(c.x(), r.bottom());
        path.closeSubpath();
        break;
    case OutcomeShape::Star:
        for (int i = 0; i < 10; ++i) {
            const double radius = i % 2 ? h * 0.45 : h;
            const double angle = -M_PI / 2 + i * M_PI / 5;
            const QPointF p(c.x() + radius * std::cos(angle), c.y() + radius * std::sin(angle));
            i == 0 ? path.moveTo(p) : path.lineTo(p);
        }
        path.closeSubpath();
        break;
    case OutcomeShape::Cross:
    case OutcomeShape::Plus: {
        // A thick cross or plus as one outline, so that it fills and outlines like the others.
        const double t = h * 0.36;
        QPainterPath bar;
        bar.addRect(QRectF(c.x() - h, c.y() - t, 2 * h, 2 * t));
        bar.addRect(QRectF(c.x() - t, c.y() - h, 2 * t, 2 * h));
        path = bar.simplified();
        if (shape == OutcomeShape::Cross) {
            QTransform turn;
            turn.translate(c.x(), c.y());
            turn.rotate(45);
            turn.translate(-c.x(), -c.y());
            path = turn.map(path);
        }
        break;
    }
    }
    return path;
}
} // namespace

QPixmap outcomeSymbol(Outcome outcome, int size)
{
    // Drawn at the screen's pixel ratio, so that the symbol stays sharp at a scale of 1.5 or 2.
    const qreal ratio = qApp ? qApp->devicePixelRatio() : 1.0;
    static QHash<std::pair<int, int>, QPixmap> cache;
    const std::pair<int, int> key{int(outcome), int(size * ratio * 100)};
    if (const auto it = cache.constFind(key); it != cache.constEnd())
        return *it;
    QPixmap pixmap(QSize(size, size) * ratio);
    pixmap.setDevicePixelRatio(ratio);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    const QColor color = outcomeColor(outcome);
    const OutcomeShape shape = outcomeShape(outcome);
    const QRectF box(0.75, 0.75, size - 1.5, size - 1.5);
    if (shape == OutcomeShape::Ring) {
        painter.setPen(QPen(color, std::max(1.5, size / 5.0)));
        painter.setBrush(Qt::NoBrush);
        painter.drawEllipse(box.adjusted(1, 1, -1, -1));
    } else {
        painter.setPen(QPen(color.darker(170), 0.8));
        painter.setBrush(color);
        painter.drawPath(shapePath(shape, box));
    }
    painter.end();
    cache.insert(key, pixmap);
    return pixmap;
}

} // namespace expectlab
