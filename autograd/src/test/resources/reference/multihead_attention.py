import torch, math
torch.set_default_dtype(torch.float64)
E,H,B,T=4,2,1,3
m=torch.nn.MultiheadAttention(E,H,batch_first=True)
def vals(n, a, b): return torch.tensor([math.sin(a*i+b) for i in range(n)])
with torch.no_grad():
    m.in_proj_weight.copy_(vals(3*E*E,0.7,0.1).reshape(3*E,E)*0.5)
    m.in_proj_bias.copy_(vals(3*E,1.3,0.2)*0.1)
    m.out_proj.weight.copy_(vals(E*E,0.9,0.3).reshape(E,E)*0.5)
    m.out_proj.bias.copy_(vals(E,1.1,0.4)*0.1)
x=vals(B*T*E,0.5,0.5).reshape(B,T,E).requires_grad_()
R=vals(B*T*E,0.3,0.7).reshape(B,T,E)
mask=torch.triu(torch.ones(T,T,dtype=torch.bool),diagonal=1)
y,_=m(x,x,x,attn_mask=mask,need_weights=False)
loss=(y*R).sum(); loss.backward()
f=lambda t: ", ".join(repr(v) for v in t.detach().reshape(-1).tolist())
print("y", f(y)); print("gx", f(x.grad)); print("gin", f(m.in_proj_weight.grad)); print("gout", f(m.out_proj.weight.grad)); print(torch.__version__)
