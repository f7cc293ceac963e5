#include "labelplacer.h"

namespace expectlab {

bool LabelPlacer::isFree(const QRectF &box) const
{
    const QRectF grown = box.adjusted(-m_margin, -m_margin, m_margin, m_margin);
    for (const QRectF &t : m_taken)
        if (grown.intersects(t))
            return false;
    return true;
}

std::optional<QRectF> LabelPlacer::place(const QList<QRectF> &candidates)
{
    for (QRectF box : candidates) {
        if (box.width() > m_bounds.width() || box.top() < m_bounds.top() || box.bottom() > m_bounds.bottom())
            continue;
        // A label whose anchor is scrolled out of view would point at nothing once moved in.
        if (box.center().x() < m_bounds.left() || box.center().x() > m_bounds.right())
            continue;
        // A label at the plot's edge moves in rather than being cut off (the expect wait at 0 ms).
        if (box.left() < m_bounds.left())
            box.moveLeft(m_bounds.left());
        else if (box.right() > m_bounds.right())
            box.moveRight(m_bounds.right());
        if (isFree(box)) {
            m_taken.append(box);
            return box;
        }
    }
    return std::nullopt;
}

} // namespace expectlab
