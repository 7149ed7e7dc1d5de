package metric

import "math"

// This file computes the survival function of the two-sided one-sample Kolmogorov–Smirnov statistic D_n,
// P(D_n >= x), which scipy calls kstwo.sf(x, n) and ks_2samp uses for its asymptotic p-value. The choice
// of method by n and x is Simard and L'Ecuyer's (J. Stat. Softw. 39(11), 2011), with scipy's thresholds.

// kolmogorovSF returns P(D_n >= x).
func kolmogorovSF(n int, x float64) float64 {
	if n <= 0 || math.IsNaN(x) {
		return math.NaN()
	}
	if x >= 1 {
		return 0
	}
	if x <= 0 {
		return 1
	}
	fn := float64(n)
	t := fn * x
	if t <= 1 { // Ruben and Gambino: P(D_n < x) = n!/n^n (2t−1)^n for 1/(2n) < x <= 1/n
		if t <= 0.5 {
			return 1
		}
		cdf := 1.0
		for i := 1; i <= n && cdf != 0; i++ {
			cdf *= float64(i) / fn * (2*t - 1)
		}
		return clip01(1 - cdf)
	}
	if t >= fn-1 { // Ruben and Gambino: P(D_n >= x) = 2(1−x)^n for x >= 1 − 1/n
		return clip01(2 * math.Pow(1-x, fn))
	}
	if x >= 0.5 { // the one-sided tails cannot both be reached: exactly twice Smirnov's
		return clip01(2 * smirnovSF(n, x))
	}
	nx2 := t * x
	if n <= 140 {
		if nx2 <= 4 { // Durbin's matrix (scipy uses Pomeranz's recursion above 0.754693; both are exact)
			return clip01(1 - durbinCDF(n, x))
		}
		return clip01(2 * smirnovSF(n, x)) // Miller's approximation
	}
	if nx2 >= 370 {
		return 0
	}
	if nx2 >= 2.2 {
		return clip01(2 * smirnovSF(n, x))
	}
	var cdf float64
	if n <= 100000 && fn*math.Pow(x, 1.5) <= 1.4 {
		cdf = durbinCDF(n, x)
	} else {
		cdf = pelzGoodCDF(n, x)
	}
	return clip01(1 - cdf)
}

// durbinCDF returns P(D_n < d) by Durbin's matrix method as Marsaglia, Tsang and Wang (J. Stat. Softw. 8(18),
// 2003) evaluate it: with k = ceil(n·d), h = k − n·d and m = 2k−1, the answer is n!/n^n times entry (k,k) of
// H^n, where H[i][j] = 1/(i−j+1)! for i−j+1 >= 0, corrected in its first column and last row by h powers.
func durbinCDF(n int, d float64) float64 {
	fn := float64(n)
	nd := fn * d
	if d >= 1 {
		return 1
	}
	if nd <= 0.5 {
		return 0
	}
	k := int(math.Ceil(nd))
	h := float64(k) - nd
	m := 2*k - 1
	fact := make([]float64, m+1) // fact[i] = 1/i!
	fact[0] = 1
	for i := 1; i <= m; i++ {
		fact[i] = fact[i-1] / float64(i)
	}
	H := newMatrix(m)
	for i := 0; i < m; i++ {
		for j := 0; j < m; j++ {
			if i-j+1 >= 0 {
				H[i*m+j] = fact[i-j+1]
			}
		}
	}
	for i := 0; i < m; i++ {
		H[i*m] -= math.Pow(h, float64(i+1)) * fact[i+1]
		H[(m-1)*m+i] -= math.Pow(h, float64(m-i)) * fact[m-i]
	}
	if 2*h-1 > 0 {
		H[(m-1)*m] += math.Pow(2*h-1, float64(m)) * fact[m]
	}
	// H^n by repeated squaring, keeping a power-of-two scale beside each matrix
	pow, powExp := identity(m), 0
	sq, sqExp := H, 0
	for e := n; e > 0; e >>= 1 {
		if e&1 == 1 {
			pow = matMul(pow, sq, m)
			powExp += sqExp
			powExp += rescale(pow, k-1, m)
		}
		if e > 1 {
			sq = matMul(sq, sq, m)
			sqExp *= 2
			sqExp += rescale(sq, k-1, m)
		}
	}
	p := pow[(k-1)*m+(k-1)]
	// multiply by n!/n^n, rescaling as it shrinks
	for i := 1; i <= n; i++ {
		p *= float64(i) / fn
		if p != 0 && math.Abs(p) < 0x1p-128 {
			p *= 0x1p128
			powExp -= 128
		}
	}
	return clip01(math.Ldexp(p, powExp))
}

func newMatrix(m int) []float64 { return make([]float64, m*m) }

func identity(m int) []float64 {
	a := newMatrix(m)
	for i := 0; i < m; i++ {
		a[i*m+i] = 1
	}
	return a
}

func matMul(a, b []float64, m int) []float64 {
	c := newMatrix(m)
	for i := 0; i < m; i++ {
		for l := 0; l < m; l++ {
			ail := a[i*m+l]
			if ail == 0 {
				continue
			}
			row := b[l*m : l*m+m]
			out := c[i*m : i*m+m]
			for j, v := range row {
				out[j] += ail * v
			}
		}
	}
	return c
}

// rescale divides a by 2^128 while its diagonal entry (c,c) exceeds 2^128, and returns the exponent removed.
func rescale(a []float64, c, m int) int {
	e := 0
	for v := math.Abs(a[c*m+c]); v > 0x1p128 && !math.IsInf(v, 0); v = math.Abs(a[c*m+c]) {
		for i := range a {
			a[i] *= 0x1p-128
		}
		e += 128
	}
	return e
}

// pelzGoodCDF returns Pelz and Good's (JRSS B 38(2), 1976) approximation of P(D_n <= x): with z = x√n,
// K0(z) + K1(z)/√n + K2(z)/n + K3(z)/n^1.5, the Li-Chien/Korolyuk expansion rewritten with Jacobi's theta
// transformation so that it converges for small z.
func pelzGoodCDF(n int, x float64) float64 {
	if x <= 0 {
		return 0
	}
	if x >= 1 {
		return 1
	}
	fn := float64(n)
	z := math.Sqrt(fn) * x
	z2 := z * z
	z4, z6 := z2*z2, z2*z2*z2
	pi2 := math.Pi * math.Pi
	pi4, pi6 := pi2*pi2, pi2*pi2*pi2
	if -pi2/(8*z2) < -708 {
		return 0
	}
	kmax := int(math.Ceil(16 * z / math.Pi))
	// sums over odd m = 2k−1 of polynomials in m² times exp(−π² m²/(8z²))
	var s0, s1, s2, s3 float64
	for k := kmax; k >= 1; k-- {
		mm := float64(2*k - 1)
		m2 := mm * mm
		e := math.Exp(-pi2 * m2 / (8 * z2))
		s0 += e
		s1 += (pi2*m2/4 - z2) * e
		s2 += (6*z6 + 2*z4 + pi2*(2*z4-5*z2)*m2/4 + pi4*(1-2*z2)*m2*m2/16) * e
		s3 += (-30*z6 - 90*z4*z4 + pi2*(135*z4-96*z6)*m2/4 + pi4*(212*z4-60*z2)*m2*m2/16 +
			pi6*(5-30*z2)*m2*m2*m2/64) * e
	}
	// sums over all k of exp(−π² k²/(2z²))
	var t2, t3 float64
	for k := kmax; k >= 1; k-- {
		fk := float64(k)
		k2 := fk * fk
		e := math.Exp(-pi2 * k2 / (2 * z2))
		t2 += k2 * e
		t3 += k2 * (3*z2 - pi2*k2) * e
	}
	r2pi := math.Sqrt(2 * math.Pi)
	k0 := r2pi / z * s0
	k1 := r2pi / (6 * z4) * s1
	k2 := r2pi/(72*z4*z2*z)*s2 - pi2*r2pi/(36*z2*z)*t2
	k3 := r2pi/(6480*z4*z6)*s3 + pi2*r2pi/(216*z6)*t3
	return k0 + k1/math.Sqrt(fn) + k2/fn + k3/(fn*math.Sqrt(fn))
}

// smirnovSF returns the one-sided Smirnov survival function P(D_n^+ >= x) by the Birnbaum–Tingey sum
// x Σ_{v=0}^{⌊n(1−x)⌋} C(n,v) (1−x−v/n)^(n−v) (x+v/n)^(v−1), with the closed forms for x <= 1/n and
// x >= 1 − 1/n, and the approximation exp(−(6nx+1)²/(18n)) beyond n = 10^6 as scipy.special.smirnov.
func smirnovSF(n int, x float64) float64 {
	if n <= 0 || !(x >= 0 && x <= 1) {
		return math.NaN()
	}
	if n == 1 {
		return 1 - x
	}
	if x == 0 {
		return 1
	}
	if x == 1 {
		return 0
	}
	fn := float64(n)
	// n·x split exactly into its floor and fraction alpha
	hi := fn * x
	lo := math.FMA(fn, x, -hi)
	fl := math.Floor(hi)
	alpha := (hi - fl) + lo
	if alpha < 0 {
		fl--
		alpha++
	} else if alpha >= 1 {
		fl++
		alpha--
	}
	nxfl := int(fl)
	if nxfl == 0 || (nxfl == 1 && alpha == 0) {
		return 1 - x*math.Pow(1+x, fn-1)
	}
	if -2*fn*x*x < -708.3964185322641 { // exp underflows
		return 0
	}
	if nxfl >= n-1 {
		return math.Pow(1-x, fn)
	}
	if n > 1000000 {
		logp := -math.Pow(6*fn*x+1, 2) / 18 / fn
		if logp < -math.Ln2 {
			return math.Exp(logp)
		}
		return 1 + math.Expm1(logp)
	}
	last := n - nxfl - 1
	var sum float64
	logC := 0.0 // log C(n, v)
	for v := 0; v <= last; v++ {
		if v > 0 {
			logC += math.Log(float64(n-v+1)) - math.Log(float64(v))
		}
		a := (float64(n-v-nxfl) - alpha) / fn // 1 − x − v/n
		b := (float64(nxfl+v) + alpha) / fn   // x + v/n
		term := math.Exp(logC + float64(n-v)*math.Log(a) + float64(v-1)*math.Log(b))
		sum += term
		if term != 0 && 4*float64(last-v)*term < 0x1p-52*sum {
			break
		}
	}
	return clip01(x * sum)
}
