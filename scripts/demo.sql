-- The demo's sample database tusk_demo (scripts/demo; tests/integration/test-readme.sh).
begin;
create table customers (
	id         int generated always as identity primary key,
	name       text not null,
	email      text not null unique,
	country    text not null,
	created_at timestamptz not null default now()
);
comment on table customers is 'People who bought something';

create table products (
	id        int generated always as identity primary key,
	sku       text not null unique,
	name      text not null,
	price     numeric(10, 2) not null check (price >= 0),
	tags      text[] not null default '{}',
	details   jsonb
);
comment on table products is 'What the shop sells';

create table orders (
	id          int generated always as identity primary key,
	customer_id int not null references customers (id),
	ordered_at  timestamptz not null,
	status      text not null check (status in ('new', 'paid', 'shipped', 'cancelled'))
);
create index orders_customer_id_idx on orders (customer_id);
create index orders_ordered_at_idx on orders (ordered_at);

create table order_items (
	order_id   int not null references orders (id) on delete cascade,
	product_id int not null references products (id),
	quantity   int not null check (quantity > 0),
	unit_price numeric(10, 2) not null,
	primary key (order_id, product_id)
);

insert into customers (name, email, country, created_at)
select 'Customer ' || g,
       'customer' || g || '@example.com',
       (array['DE', 'FR', 'NL', 'PL', 'SE', 'US', 'JP', 'BR'])[1 + g % 8],
       timestamptz '2023-01-01' + (g || ' hours')::interval
from generate_series(1, 2000) g;

insert into products (sku, name, price, tags, details)
select 'SKU-' || lpad(g::text, 4, '0'),
       'Product ' || g,
       round((5 + (g * 37 % 200) + (g % 100) / 100.0)::numeric, 2),
       case when g % 3 = 0 then array['sale'] else array['new', 'popular'] end,
       jsonb_build_object('weight_g', 100 + g * 7 % 900, 'color', (array['red', 'green', 'blue'])[1 + g % 3])
from generate_series(1, 150) g;

insert into orders (customer_id, ordered_at, status)
select 1 + (g * 7919) % 2000,
       timestamptz '2024-01-01' + (g * 17 || ' minutes')::interval,
       (array['new', 'paid', 'shipped', 'shipped', 'cancelled'])[1 + g % 5]
from generate_series(1, 10000) g;

insert into order_items (order_id, product_id, quantity, unit_price)
select o.id, 1 + (o.id * 13 + i * 41) % 150, 1 + (o.id + i) % 4, p.price
from orders o
cross join generate_series(0, 2) i
join products p on p.id = 1 + (o.id * 13 + i * 41) % 150;

create view customer_order_totals as
select c.id as customer_id, c.name, c.country,
       count(distinct o.id) as orders,
       coalesce(sum(oi.quantity * oi.unit_price), 0) as total_spent
from customers c
left join orders o on o.customer_id = c.id and o.status <> 'cancelled'
left join order_items oi on oi.order_id = o.id
group by c.id;
comment on view customer_order_totals is 'Spend per customer, cancelled orders left out';
commit;
analyze;
