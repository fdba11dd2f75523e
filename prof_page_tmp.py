import os, sys, time, cProfile, pstats
sys.path.insert(0, os.getcwd())
os.environ.update({"DJANGO_SETTINGS_MODULE": "bench.bench_settings", "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "x",
                   "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/edu_portal_bench", "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "AXES_ENABLED": "0", "DJANGO_SECURE_COOKIES": "0"})
import django; django.setup()
from django.test import Client
from accounts.models import User
c = Client(SERVER_NAME="127.0.0.1")
c.force_login(User.objects.get(username="bench_sogd"))
path = sys.argv[1]
for _ in range(3): c.get(path)
t = time.perf_counter()
for _ in range(10): c.get(path)
print("ms/request", (time.perf_counter()-t)*100)
pr = cProfile.Profile(); pr.enable()
for _ in range(10): c.get(path)
pr.disable()
st = pstats.Stats(pr); st.sort_stats("tottime").print_stats(18)
