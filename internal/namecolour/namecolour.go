// Package namecolour gives each name its colour, the same everywhere a name
// is shown: web/static/dom.js's hue() picks it for the chat page, and this
// package, which mirrors it, for terminals. Both hash the name's code points
// with 32-bit FNV-1a and pick one of the same ten hues; the test holds both
// to one table, so a change to either shows.
package namecolour

// hues are far enough apart to tell apart at a glance (degrees on the
// colour wheel), in dom.js's order.
var hues = [...]int{4, 28, 48, 142, 172, 198, 222, 258, 286, 318}

// Hue returns the hue of name, in degrees, as dom.js's hue(name) does.
func Hue(name string) int {
	h := uint32(2166136261)
	for _, r := range name {
		h = (h ^ uint32(r)) * 16777619
	}
	return hues[h%uint32(len(hues))]
}

// RGB returns the colour of hue at the saturation and lightness the chat
// page gives names (CSS hsl(hue 62% l)), as 0–255 components.
func RGB(hue int, lightness float64) (r, g, b uint8) {
	const s = 0.62
	l := lightness
	c := (1 - abs(2*l-1)) * s
	hp := float64(hue%360) / 60
	x := c * (1 - abs(mod2(hp)-1))
	var r1, g1, b1 float64
	switch int(hp) {
	case 0:
		r1, g1 = c, x
	case 1:
		r1, g1 = x, c
	case 2:
		g1, b1 = c, x
	case 3:
		g1, b1 = x, c
	case 4:
		r1, b1 = x, c
	default:
		r1, b1 = c, x
	}
	m := l - c/2
	to := func(v float64) uint8 { return uint8((v+m)*255 + 0.5) }
	return to(r1), to(g1), to(b1)
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

// mod2 is v modulo 2, for v ≥ 0.
func mod2(v float64) float64 { return v - 2*float64(int(v/2)) }
