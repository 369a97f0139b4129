#!/usr/bin/env python3
"""Reference values for tests/special and tests/prompt_attention/exact_error.rs (mpmath, 50 digits).

Run: python3 -m venv .venv-ref && .venv-ref/bin/pip install mpmath && .venv-ref/bin/python scripts/special_references.py
"""
import mpmath as mp
mp.mp.dps = 50
xs = [-6.0, -2.0, -0.84375, -0.5, -1e-300, 0.0, 1e-10, 0.1, 0.25, 0.5, 0.84, 0.84375, 0.9, 1.0, 1.25, 1.5,
      2.0, 1/0.35, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 15.0, 20.0, 26.0, 27.0]
for x in xs:
    v = mp.erfc(mp.mpf(x))
    print(f"    ({float(x)!r:>24}, {mp.nstr(v, 17, min_fixed=-1, max_fixed=-1)}),")
for k, xs in [(2,[0.5,6.0,13.8]),(4,[1.0,9.5,18.5]),(7,[3.0,14.1,24.3]),(15,[10.0,25.0,37.7]),(230,[200.0,266.0,300.0])]:
    for x in xs:
        sf = mp.gammainc(mp.mpf(k)/2, mp.mpf(x)/2, mp.inf, regularized=True)
        print(f"    ({k}.0, {x!r}, {mp.nstr(sf, 17, min_fixed=-1, max_fixed=-1)}),")
def Q(x): return mp.erfc(x/mp.sqrt(2))/2
def alpha_s(zeta, gamma, sigma, T):
    zeta, gamma, sigma, T = map(mp.mpf, (zeta, gamma, sigma, T))
    a = zeta*mp.e**gamma/(zeta*mp.e**gamma + 1 - zeta)
    s2 = sigma**2*(a**2/(zeta*T) + (1-a)**2/((1-zeta)*T))
    return a, mp.sqrt(s2)
def cond(v, a, s):
    vq, vv = mp.mpf(v[0]), mp.mpf(v[1])
    perp = mp.sqrt(sum(mp.mpf(x)**2 for x in v[1:]))
    return Q(a*(vv+vq)/(s*perp))/2 + Q(a*(vv-vq)/(s*perp))/2
def asym(a, s, d, n):
    return Q(a*a/(s*mp.sqrt(a*a + s*s*(d-1)/mp.mpf(n))))
for (z,g,sg,T) in [(0.2,3.0,1.5,20),(0.2,1.0,1.5,20),(0.2,6.0,1.5,20)]:
    a,s = alpha_s(z,g,sg,T); print("alpha_s",z,g,sg,T, mp.nstr(a,17), mp.nstr(s,17))
cases = [ [0.05, 0.8, 0.1, -0.2, 0.3], [0.0, 0.5, 0.05, 0.05, 0.05, 0.05], [-0.1, 1.0, 0.02, 0.01], [0.3, 0.9, 0.4, 0.4, 0.4, 0.4, 0.4]]
for g in [3.0, 1.0, 6.0]:
  a,s = alpha_s(0.2,g,1.5,20)
  for v in cases:
    print("cond", g, v, mp.nstr(cond(v,a,s),17))
for (d,n,g) in [(100,200,mp.inf),(100,200,0),(100,2000,mp.inf),(100,2000,0),(1000,200,mp.inf),(1000,200,0)]:
  if g == mp.inf:
    a = mp.mpf(1); s = mp.mpf(1.5)/mp.sqrt(mp.mpf(0.2)*20)
  else:
    a,s = alpha_s(0.2,0.0,1.5,20)
  print("asym", d, n, g, mp.nstr(asym(a,s,d,n),17))
