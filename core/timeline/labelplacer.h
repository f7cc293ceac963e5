#pragma once

#include <QList>
#include <QRectF>

#include <optional>

namespace expectlab {

// Greedy placement of text labels without overlap, in pixel space (the view knows the text sizes;
// this knows nothing of fonts or plots, so it is tested on its own). Labels are offered in order of
// importance, each with its candidate boxes in order of preference; a label takes the first box
// that, moved sideways into the bounds if it sticks out, touches neither a placed label nor an
// obstacle (a marker). A label with no free box is dropped: the caller keeps its text in a tooltip.
class LabelPlacer
{
public:
    explicit LabelPlacer(const QRectF &bounds, double margin = 2)
        : m_bounds(bounds)
        , m_margin(margin)
    {}
    void addObstacle(const QRectF &box) { m_taken.append(box); }
    // The box the label got, or nothing when every candidate is taken or outside the bounds.
    std::optional<QRectF> place(const QList<QRectF> &candidates);
    const QList<QRectF> &taken() const { return m_taken; }

private:
    bool isFree(const QRectF &box) const;

    QRectF m_bounds;
    double m_margin;
    QList<QRectF> m_taken;
};

} // namespace expectlab
